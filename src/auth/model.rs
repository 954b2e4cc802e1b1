//! Account rules without I/O: what a registration must contain, how a sign-in name is read.

use serde::{Deserialize, Serialize};

use crate::domain::account::Role;
use crate::domain::forms::email_ok;
use crate::domain::org::{NatureCode, OrganisationKind};
use crate::domain::validators;
use crate::orgs::NewOrganisation;

pub use crate::domain::forms::FieldErrors;

/// A sign-in name: an e-mail address or a mainland mobile number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    Email(String),
    Mobile(String),
}

impl Login {
    /// Reads what someone typed as their sign-in name.
    pub fn parse(input: &str) -> Result<Login, &'static str> {
        let text = input.trim();
        if text.is_empty() {
            return Err("请填写邮箱或手机号");
        }
        if text.contains('@') {
            let email = text.to_lowercase();
            return if email_ok(&email) { Ok(Login::Email(email)) } else { Err("邮箱地址格式不正确") };
        }
        validators::mobile(text)
            .map(Login::Mobile)
            .map_err(|_| "手机号码格式不正确：应为 11 位、以 1 开头的中国大陆手机号")
    }

    /// The stored form, as used for look-ups.
    pub fn key(&self) -> &str {
        match self {
            Login::Email(s) | Login::Mobile(s) => s,
        }
    }
}

/// The registration form as submitted (everything optional, so nothing typed is lost).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RegistrationInput {
    pub display_name: Option<String>,
    pub login: Option<String>,
    // Shown back on the form after an error (the page is never cached), so a mistake elsewhere
    // does not make the person type both passwords again.
    pub password: Option<String>,
    pub password_confirm: Option<String>,
    pub role: Option<String>,
    pub org_mode: Option<String>,
    pub organisation_id: Option<String>,
    pub org_name: Option<String>,
    pub org_credit_code: Option<String>,
    pub org_nature: Option<String>,
    pub org_region_code: Option<String>,
}

/// Which organisation a new account belongs to.
#[derive(Debug, Clone)]
pub enum OrganisationChoice {
    Existing(String),
    New(NewOrganisation),
}

/// A registration that passed every check that needs no database.
#[derive(Debug, Clone)]
pub struct ValidRegistration {
    pub display_name: String,
    pub login: Login,
    pub password: String,
    pub role: Role,
    pub organisation: OrganisationChoice,
}

/// The organisation kind that goes with a self-registered role.
pub fn organisation_kind_for(role: Role) -> OrganisationKind {
    match role {
        Role::Researcher => OrganisationKind::Institution,
        Role::Enterprise => OrganisationKind::Enterprise,
        Role::Broker | Role::Admin => OrganisationKind::BrokerFirm,
    }
}

/// The natures an organisation of a role may have.
pub fn natures_for(role: Role) -> Vec<NatureCode> {
    NatureCode::ALL
        .iter()
        .copied()
        .filter(|n| match role {
            Role::Enterprise => n.is_enterprise(),
            Role::Researcher => !n.is_enterprise() && *n != NatureCode::Individual,
            Role::Broker | Role::Admin => *n != NatureCode::Individual,
        })
        .collect()
}

fn text(value: &Option<String>) -> String {
    value.as_deref().unwrap_or_default().trim().to_string()
}

/// Whether the person chose a registered organisation: what they filled in decides when the
/// radio says otherwise (an organisation picked from the list and no new organisation's name
/// means the list, whatever the radio was left on; a name typed and nothing picked, a new one).
pub fn chose_existing(input: &RegistrationInput) -> bool {
    let picked = !text(&input.organisation_id).is_empty();
    let named = !text(&input.org_name).is_empty();
    match (picked, named) {
        (true, false) => true,
        (false, true) => false,
        _ => text(&input.org_mode) == "existing",
    }
}

/// Checks a registration; `password_check` applies the password rules with context words.
pub fn validate_registration(
    input: &RegistrationInput,
    password_check: impl Fn(&str, &[&str]) -> Result<(), String>,
) -> Result<ValidRegistration, FieldErrors> {
    let mut errors = FieldErrors::new();
    let display_name = text(&input.display_name);
    match display_name.chars().count() {
        0 => {
            errors.insert("display_name".into(), "请填写姓名".into());
        }
        n if n > 50 => {
            errors.insert("display_name".into(), "姓名最多 50 个字".into());
        }
        _ => {}
    }
    let login = Login::parse(&text(&input.login)).map_err(|m| errors.insert("login".into(), m.into())).ok();
    let password = input.password.clone().unwrap_or_default();
    let context: Vec<&str> = [display_name.as_str(), login.as_ref().map(Login::key).unwrap_or_default()].to_vec();
    if let Err(message) = password_check(&password, &context) {
        errors.insert("password".into(), message);
    } else if input.password_confirm.as_deref() != Some(password.as_str()) {
        errors.insert("password_confirm".into(), "两次输入的密码不一致".into());
    }
    let role = Role::from_code(&text(&input.role)).filter(|r| Role::SELF_REGISTERED.contains(r));
    if role.is_none() {
        errors.insert("role".into(), "请选择身份：科研人员、企业用户或技术经纪人".into());
    }
    let organisation = role.and_then(|role| validate_organisation(input, role, &mut errors));
    match (login, role, organisation) {
        (Some(login), Some(role), Some(organisation)) if errors.is_empty() => {
            Ok(ValidRegistration { display_name, login, password, role, organisation })
        }
        _ => Err(errors),
    }
}

fn validate_organisation(
    input: &RegistrationInput,
    role: Role,
    errors: &mut FieldErrors,
) -> Option<OrganisationChoice> {
    if chose_existing(input) {
        let id = text(&input.organisation_id);
        if id.is_empty() {
            errors.insert("organisation_id".into(), "请选择所在单位".into());
            return None;
        }
        return Some(OrganisationChoice::Existing(id));
    }
    let kind = organisation_kind_for(role);
    let name = text(&input.org_name);
    match name.chars().count() {
        0 => {
            errors.insert("org_name".into(), "请填写单位名称".into());
        }
        1 => {
            errors.insert("org_name".into(), "单位名称过短".into());
        }
        n if n > 100 => {
            errors.insert("org_name".into(), "单位名称最多 100 个字".into());
        }
        _ => {}
    }
    let code_input = text(&input.org_credit_code);
    let credit_code = if code_input.is_empty() {
        if kind == OrganisationKind::Enterprise {
            errors.insert("org_credit_code".into(), "企业须填写统一社会信用代码".into());
        }
        None
    } else {
        validators::credit_code(&code_input).map_err(|e| errors.insert("org_credit_code".into(), e.to_string())).ok()
    };
    let nature = NatureCode::from_code(&text(&input.org_nature)).filter(|n| natures_for(role).contains(n));
    if nature.is_none() {
        errors.insert("org_nature".into(), "请选择单位性质".into());
    }
    let region_code = text(&input.org_region_code);
    if !(region_code.len() == 6 && region_code.bytes().all(|b| b.is_ascii_digit())) {
        errors.insert("org_region_code".into(), "行政区划代码应为 6 位数字".into());
    }
    Some(OrganisationChoice::New(NewOrganisation {
        name,
        kind,
        credit_code,
        credit_code_overridden: false,
        nature: nature?,
        region_code,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept_any(_: &str, _: &[&str]) -> Result<(), String> {
        Ok(())
    }

    fn enterprise() -> RegistrationInput {
        RegistrationInput {
            display_name: Some("王经理".into()),
            login: Some("+86 138 0013 8000".into()),
            password: Some("天水苹果花牛红了".into()),
            password_confirm: Some("天水苹果花牛红了".into()),
            role: Some("enterprise".into()),
            org_mode: Some("new".into()),
            org_name: Some("天水星火机床有限责任公司".into()),
            org_credit_code: Some("91350200776049653A".into()),
            org_nature: Some("enterprise_state".into()),
            org_region_code: Some("620503".into()),
            ..RegistrationInput::default()
        }
    }

    #[test]
    fn sign_in_names() {
        assert_eq!(Login::parse(" Zhang@Example.CN "), Ok(Login::Email("zhang@example.cn".into())));
        assert_eq!(Login::parse("138 0013 8000"), Ok(Login::Mobile("13800138000".into())));
        for bad in ["", "zhang@", "@example.cn", "zhang@example", "a b@example.cn", "12345", "zhang@@example.cn"] {
            assert!(Login::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_complete_enterprise_registration_passes() {
        let valid = validate_registration(&enterprise(), accept_any).expect("valid");
        assert_eq!(valid.login, Login::Mobile("13800138000".into()));
        let OrganisationChoice::New(org) = valid.organisation else { panic!("new organisation") };
        assert_eq!(org.kind, OrganisationKind::Enterprise);
        assert_eq!(org.credit_code.as_deref(), Some("91350200776049653A"));
    }

    #[test]
    fn each_problem_is_named_by_its_field() {
        let cases: Vec<(RegistrationInput, &str)> = vec![
            (RegistrationInput { display_name: None, ..enterprise() }, "display_name"),
            (RegistrationInput { login: Some("abc".into()), ..enterprise() }, "login"),
            (RegistrationInput { password_confirm: Some("different".into()), ..enterprise() }, "password_confirm"),
            (RegistrationInput { role: Some("admin".into()), ..enterprise() }, "role"),
            (RegistrationInput { org_credit_code: None, ..enterprise() }, "org_credit_code"),
            (
                RegistrationInput { org_credit_code: Some("91350200776049653B".into()), ..enterprise() },
                "org_credit_code",
            ),
            (RegistrationInput { org_nature: Some("public_university".into()), ..enterprise() }, "org_nature"),
            (RegistrationInput { org_region_code: Some("6205".into()), ..enterprise() }, "org_region_code"),
            (RegistrationInput { org_name: Some(" ".into()), ..enterprise() }, "org_name"),
            (
                RegistrationInput { org_mode: Some("existing".into()), org_name: None, ..enterprise() },
                "organisation_id",
            ),
        ];
        for (input, field) in cases {
            let errors = validate_registration(&input, accept_any).expect_err(field);
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
        let errors = validate_registration(&enterprise(), |_, _| Err("密码至少需要 8 个字符".to_string()))
            .expect_err("password");
        assert!(errors.contains_key("password"));
    }

    #[test]
    fn researchers_need_no_credit_code_and_get_an_institution() {
        let input = RegistrationInput {
            role: Some("researcher".into()),
            org_name: Some("天水师范学院".into()),
            org_credit_code: None,
            org_nature: Some("public_university".into()),
            ..enterprise()
        };
        let valid = validate_registration(&input, accept_any).expect("valid");
        let OrganisationChoice::New(org) = valid.organisation else { panic!("new organisation") };
        assert_eq!(org.kind, OrganisationKind::Institution);
    }
}
