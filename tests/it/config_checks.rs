//! Configuration: defaults, overrides, bad values stopping start-up with a message naming the
//! setting, and the generated secret key.

use std::process::Command;

use techmarket::config::{self, GoalBasis, GoalSide};

fn isolated(dir: &std::path::Path) -> rocket::figment::Figment {
    config::figment_isolated().merge(("data_dir", dir.join("data")))
}

#[test]
fn defaults_are_the_district_and_a_sqlite_file_under_data() {
    let dir = tempfile::tempdir().expect("tmp");
    let (figment, settings) = config::load(isolated(dir.path())).expect("defaults load");
    assert_eq!(settings.district_name, "麦积区");
    assert_eq!(settings.region_code, "620503");
    assert!(settings.database_url.starts_with("sqlite://"));
    assert!(settings.database_url.contains("techmarket.db"));
    assert_eq!(settings.goal.amount.0, 60_000_000_000);
    assert_eq!(settings.goal.baseline_amount.0, 40_000_000_000);
    assert_eq!((settings.goal.basis, settings.goal.side), (GoalBasis::Turnover, GoalSide::Output));
    let rocket_config = rocket::Config::from(&figment);
    assert_eq!(rocket_config.port, 8000);
    assert_eq!(rocket_config.address.to_string(), "127.0.0.1");
    assert!(rocket_config.ip_header.is_none(), "ip_header is off unless a trusted proxy is configured");
}

#[test]
fn bad_values_name_the_setting() {
    let dir = tempfile::tempdir().expect("tmp");
    let cases: &[(&str, &str)] = &[
        ("port", "not-a-port"),
        ("address", "not an address"),
        ("region_code", "62050"),
        ("region_code", "62050X"),
        ("database_url", "mysql://localhost/db"),
        ("database_url", "sqlite::memory:"),
        ("goal_amount", "六亿"),
        ("goal_amount", "0"),
        ("goal_basis", "profit"),
        ("goal_side", "both"),
        ("goal_year", "1999"),
        ("district_name", "  "),
        ("db_max_connections", "0"),
    ];
    for (key, value) in cases {
        let figment = isolated(dir.path()).merge((*key, *value));
        let error = config::load(figment).expect_err(&format!("{key}={value} must be refused"));
        assert_eq!(&error.key, key, "{key}={value}: {}", error.message);
        assert!(error.message.contains(key), "{}", error.message);
        assert!(error.message.contains("配置项"), "the message is Chinese: {}", error.message);
    }
}

#[test]
fn overrides_apply_and_goal_amounts_accept_chinese_units() {
    let dir = tempfile::tempdir().expect("tmp");
    let figment = isolated(dir.path())
        .merge(("goal_amount", "65,000万元"))
        .merge(("goal_basis", "technology_value"))
        .merge(("goal_side", "absorb"))
        .merge(("database_url", "postgres://user@127.0.0.1:5432/techmarket"))
        .merge(("port", 8123));
    let (figment, settings) = config::load(figment).expect("loads");
    assert_eq!(settings.goal.amount.0, 65_000_000_000);
    assert_eq!(settings.goal.basis, GoalBasis::TechnologyValue);
    assert_eq!(settings.goal.side, GoalSide::Absorb);
    assert_eq!(settings.database_url, "postgres://user@127.0.0.1:5432/techmarket");
    assert_eq!(rocket::Config::from(&figment).port, 8123);
}

#[test]
fn a_secret_key_is_generated_once_and_kept_private() {
    let dir = tempfile::tempdir().expect("tmp");
    let key_of = |figment: &rocket::figment::Figment| {
        figment.find_value("secret_key").expect("key").into_string().expect("string")
    };
    let (first, _) = config::load(isolated(dir.path())).expect("loads");
    let (second, _) = config::load(isolated(dir.path())).expect("loads");
    assert_eq!(key_of(&first), key_of(&second), "the generated key is reused");
    let path = dir.path().join("data").join("secret.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).expect("key file").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let configured = "hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk=";
    let (third, _) = config::load(isolated(dir.path()).merge(("secret_key", configured))).expect("loads");
    assert_eq!(key_of(&third), configured, "an operator's key always wins");
}

#[test]
fn the_binary_refuses_a_bad_environment_value_and_names_it() {
    let dir = tempfile::tempdir().expect("tmp");
    for (var, key) in [("TECHMARKET_PORT", "port"), ("TECHMARKET_REGION_CODE", "region_code")] {
        let output = Command::new(env!("CARGO_BIN_EXE_techmarket"))
            .arg("migrate")
            .current_dir(dir.path())
            .env(var, "bad-value")
            .env_remove("TECHMARKET_DATABASE_URL")
            .output()
            .expect("run techmarket");
        assert!(!output.status.success(), "{var}=bad-value must stop start-up");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(key), "{var}: {stderr}");
        assert!(stderr.contains(var), "the message names the variable: {stderr}");
        assert!(!dir.path().join("data").join("techmarket.db").exists(), "nothing is created before the check");
    }
}
