//! Who a user is on the platform: role and account status.

use crate::labelled_enum;

labelled_enum!(
    /// The four kinds of account (the public needs none).
    Role {
        Researcher = "researcher": "科研人员",
        Enterprise = "enterprise": "企业用户",
        Broker = "broker": "技术经纪人",
        Admin = "admin": "管理员",
    }
);

labelled_enum!(
    /// Where an account stands. Self-registered accounts wait for an administrator's approval.
    AccountStatus {
        Pending = "pending": "待审核",
        Active = "active": "正常",
        Disabled = "disabled": "已停用",
    }
);

impl Role {
    /// Roles a person may pick when registering; administrators are created from the CLI or
    /// promoted by another administrator.
    pub const SELF_REGISTERED: &'static [Role] = &[Role::Researcher, Role::Enterprise, Role::Broker];
}
