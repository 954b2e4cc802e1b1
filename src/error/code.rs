//! Every error code the platform answers with: stable, snake_case, documented. Clients branch
//! on the code; the Chinese label says what it means (docs/API.md's table is checked against
//! this list by the test below).

use crate::labelled_enum;

labelled_enum!(
    /// A stable error code.
    ErrorCode {
        AccountDisabled = "account_disabled": "账号已停用",
        AccountLocked = "account_locked": "密码多次错误，账号暂时锁定",
        AccountPending = "account_pending": "账号待审核，暂不能进行此操作",
        AchievementNotFound = "achievement_not_found": "科技成果不存在或尚未公开",
        AdminOnly = "admin_only": "此操作仅限平台管理员",
        AlreadyApplied = "already_applied": "已提交过揭榜申请",
        AlreadyDisabled = "already_disabled": "账号已是停用状态",
        AlreadyDisputed = "already_disputed": "合同已标记为存在争议",
        AlreadyReplied = "already_replied": "对接请求已回复过",
        AlreadySelected = "already_selected": "该榜单已选定揭榜团队",
        ApplicationNotFound = "application_not_found": "揭榜申请不存在",
        AuctionNotFound = "auction_not_found": "竞价项目不存在",
        AuctionNotRunning = "auction_not_running": "竞价尚未开始或已经结束",
        BadBody = "bad_body": "请求体无法读取或不符合格式",
        BadCursor = "bad_cursor": "分页游标无效",
        BadForm = "bad_form": "表单无法读取",
        BadRequest = "bad_request": "请求格式不正确",
        BidTooLow = "bid_too_low": "出价低于当前价加一个加价幅度（或低于起拍价）",
        CampaignClosed = "campaign_closed": "征集已截止或已结束",
        CampaignNotFound = "campaign_not_found": "征集活动不存在",
        CannotApply = "cannot_apply": "当前身份或状态不能揭榜",
        CannotChangeSelf = "cannot_change_self": "不能停用自己或修改自己的身份",
        CannotDraft = "cannot_draft": "当前身份不能起草合同",
        CannotImport = "cannot_import": "只有高校院所、企业的认证成员和平台管理员可以批量导入",
        CannotListAchievements = "cannot_list_achievements": "只有已审核的科研人员和企业用户可以发布科技成果",
        CannotOpenDeal = "cannot_open_deal": "只有已审核的技术经纪人和管理员可以创建对接项目",
        CannotOrganiseSalon = "cannot_organise_salon": "只有已审核的技术经纪人和管理员可以举办沙龙活动",
        CannotPostDemands = "cannot_post_demands": "只有已审核的企业用户可以发布技术需求",
        CannotTrade = "cannot_trade": "当前身份不能进行此项交易操作",
        ChallengeNotFound = "challenge_not_found": "该需求没有设置揭榜挂帅",
        Conflict = "conflict": "内容已被他人修改",
        ContactRequestNotFound = "contact_request_not_found": "对接请求不存在",
        ContractNotFound = "contract_not_found": "合同不存在或无权查看",
        ControlCharacter = "control_character": "请求含有控制字符",
        CsrfFailed = "csrf_failed": "请求未通过安全校验（CSRF）",
        DealNotFound = "deal_not_found": "对接项目不存在或无权查看",
        DemandNotFound = "demand_not_found": "技术需求不存在或尚未公开",
        DemoAccountRefused = "demo_account_refused": "演示账号在此部署中不可用",
        EditConflict = "edit_conflict": "内容已被他人修改（版本已变），请刷新后重新编辑",
        FileTooLarge = "file_too_large": "文件过大",
        Forbidden = "forbidden": "没有权限进行此操作",
        FormExpired = "form_expired": "表单已过期，请刷新后重新提交",
        IdempotencyKeyReused = "idempotency_key_reused": "幂等键已用于内容不同的请求",
        ImportNotFound = "import_not_found": "导入记录不存在",
        ImportOrganisationRequired = "import_organisation_required": "请选择要为之导入的高校院所或企业",
        InternalError = "internal_error": "服务器内部错误（原因见服务器日志）",
        InvalidCredentials = "invalid_credentials": "账号或密码不正确",
        InvalidIdempotencyKey = "invalid_idempotency_key": "幂等键格式不正确",
        InvalidParameter = "invalid_parameter": "查询参数不正确",
        InvalidToken = "invalid_token": "API 令牌无效或已撤销",
        InvalidTransition = "invalid_transition": "当前状态不能进行此操作",
        LeadNotFound = "lead_not_found": "线索不存在",
        LeadTaken = "lead_taken": "线索已被其他经纪人认领",
        MeetingNotFound = "meeting_not_found": "预谈判会议不存在或无权查看",
        MessageNotFound = "message_not_found": "消息不存在",
        MethodNotAllowed = "method_not_allowed": "不支持此请求方式",
        MissingPrice = "missing_price": "缺少价格",
        NoOrganisation = "no_organisation": "账号未关联单位",
        NoRevenueShare = "no_revenue_share": "合同没有登记收益分配",
        NotAllowed = "not_allowed": "不允许此操作",
        NotCampaignTarget = "not_campaign_target": "本单位不在此次征集的范围内",
        NotDealBroker = "not_deal_broker": "只有负责该项目的经纪人或管理员可以推进项目",
        NotDisabled = "not_disabled": "账号未停用",
        NotEditable = "not_editable": "当前状态不能修改",
        NotFound = "not_found": "页面或资源不存在",
        NotOpen = "not_open": "揭榜尚未开放",
        NotOwner = "not_owner": "只有所属单位的成员才能管理",
        NotPending = "not_pending": "账号不是待审核状态",
        NotPublic = "not_public": "尚未公开，不能发起对接",
        NotQualifiedBidder = "not_qualified_bidder": "未获得本场竞价的竞买资格",
        NotRegistered = "not_registered": "合同尚未登记",
        NotSeller = "not_seller": "只有卖方可以进行此操作",
        NoticeNotFound = "notice_not_found": "协议定价公示不存在",
        OfferingNotFound = "offering_not_found": "挂牌项目不存在",
        OwnChallenge = "own_challenge": "不能揭本单位发布的榜",
        OwnListing = "own_listing": "不能对接本单位的发布",
        PayloadTooLarge = "payload_too_large": "提交的内容过大",
        PeriodClosed = "period_closed": "公示期或挂牌期已结束",
        PrecheckFailed = "precheck_failed": "登记预审未通过",
        RegistrationNoTaken = "registration_no_taken": "登记编号已被使用",
        RegistrationRejected = "registration_rejected": "注册申请未通过审核",
        RequestFailed = "request_failed": "请求未能完成",
        ResetLinkInvalid = "reset_link_invalid": "重置密码链接无效或已过期",
        SalonClosed = "salon_closed": "沙龙活动已结束或已取消",
        SalonNotFound = "salon_not_found": "沙龙活动不存在",
        SameRole = "same_role": "身份没有变化",
        ServiceUnavailable = "service_unavailable": "服务暂时不可用",
        ShareNotRecorded = "share_not_recorded": "收益分配尚未登记",
        TokenNotFound = "token_not_found": "API 令牌不存在",
        TooManyAttempts = "too_many_attempts": "登录尝试过多，请稍后再试",
        TooManyRequests = "too_many_requests": "操作过于频繁，请稍后再试",
        Unauthorized = "unauthorized": "请先登录",
        UnknownAction = "unknown_action": "没有这个操作",
        UnprocessableEntity = "unprocessable_entity": "提交的内容无法识别",
        UnreadableFile = "unreadable_file": "文件无法读取",
        UnsupportedMediaType = "unsupported_media_type": "不支持的内容类型",
        UseAmend = "use_amend": "已登记的合同请通过变更修改",
        UserNotFound = "user_not_found": "账号不存在",
        ValidationFailed = "validation_failed": "提交的内容有误（逐项说明见 fields）",
        WebhookNotFound = "webhook_not_found": "接收地址不存在",
        WindowClosed = "window_closed": "揭榜申请期已结束",
    }
);

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.code() == *other
    }
}

impl PartialEq<ErrorCode> for &str {
    fn eq(&self, other: &ErrorCode) -> bool {
        *self == other.code()
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    /// docs/API.md lists exactly these codes with these meanings, in this order.
    #[test]
    fn the_api_document_lists_every_code() {
        let doc = include_str!("../../docs/API.md");
        let start = doc.find("<!-- error codes: from src/error/code.rs -->").expect("the table's start marker");
        let end = doc.find("<!-- end of error codes -->").expect("the table's end marker");
        let rows: Vec<(String, String)> = doc[start..end]
            .lines()
            .filter_map(|line| {
                let cells: Vec<&str> = line.split('|').map(str::trim).collect();
                let code = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
                Some((code.to_string(), cells.get(2)?.to_string()))
            })
            .collect();
        let expected: Vec<(String, String)> =
            ErrorCode::ALL.iter().map(|c| (c.code().to_string(), c.label().to_string())).collect();
        assert_eq!(rows, expected, "docs/API.md's error table and ErrorCode differ");
    }
}
