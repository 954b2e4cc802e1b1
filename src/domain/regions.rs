//! Administrative divisions (GB/T 2260) the platform names in pages and reports: every
//! prefecture and county of Gansu by name, other provinces by the province's name with the code.

/// The county-level divisions of Tianshui (GB/T 2260), the codes listings here mostly carry.
pub fn tianshui_county(code: &str) -> Option<&'static str> {
    (code.starts_with("6205") && code != "620500").then(|| gansu(code)).flatten()
}

/// Gansu's prefecture-level divisions (`xx00`) and their counties, districts and county-level
/// cities, as of the 2023 GB/T 2260 list.
const GANSU: &[(&str, &str)] = &[
    ("620100", "兰州市"),
    ("620102", "城关区"),
    ("620103", "七里河区"),
    ("620104", "西固区"),
    ("620105", "安宁区"),
    ("620111", "红古区"),
    ("620121", "永登县"),
    ("620122", "皋兰县"),
    ("620123", "榆中县"),
    ("620200", "嘉峪关市"),
    ("620300", "金昌市"),
    ("620302", "金川区"),
    ("620321", "永昌县"),
    ("620400", "白银市"),
    ("620402", "白银区"),
    ("620403", "平川区"),
    ("620421", "靖远县"),
    ("620422", "会宁县"),
    ("620423", "景泰县"),
    ("620500", "天水市"),
    ("620502", "秦州区"),
    ("620503", "麦积区"),
    ("620521", "清水县"),
    ("620522", "秦安县"),
    ("620523", "甘谷县"),
    ("620524", "武山县"),
    ("620525", "张家川回族自治县"),
    ("620600", "武威市"),
    ("620602", "凉州区"),
    ("620621", "民勤县"),
    ("620622", "古浪县"),
    ("620623", "天祝藏族自治县"),
    ("620700", "张掖市"),
    ("620702", "甘州区"),
    ("620721", "肃南裕固族自治县"),
    ("620722", "民乐县"),
    ("620723", "临泽县"),
    ("620724", "高台县"),
    ("620725", "山丹县"),
    ("620800", "平凉市"),
    ("620802", "崆峒区"),
    ("620821", "泾川县"),
    ("620822", "灵台县"),
    ("620823", "崇信县"),
    ("620825", "庄浪县"),
    ("620826", "静宁县"),
    ("620881", "华亭市"),
    ("620900", "酒泉市"),
    ("620902", "肃州区"),
    ("620921", "金塔县"),
    ("620922", "瓜州县"),
    ("620923", "肃北蒙古族自治县"),
    ("620924", "阿克塞哈萨克族自治县"),
    ("620981", "玉门市"),
    ("620982", "敦煌市"),
    ("621000", "庆阳市"),
    ("621002", "西峰区"),
    ("621021", "庆城县"),
    ("621022", "环县"),
    ("621023", "华池县"),
    ("621024", "合水县"),
    ("621025", "正宁县"),
    ("621026", "宁县"),
    ("621027", "镇原县"),
    ("621100", "定西市"),
    ("621102", "安定区"),
    ("621121", "通渭县"),
    ("621122", "陇西县"),
    ("621123", "渭源县"),
    ("621124", "临洮县"),
    ("621125", "漳县"),
    ("621126", "岷县"),
    ("621200", "陇南市"),
    ("621202", "武都区"),
    ("621221", "成县"),
    ("621222", "文县"),
    ("621223", "宕昌县"),
    ("621224", "康县"),
    ("621225", "西和县"),
    ("621226", "礼县"),
    ("621227", "徽县"),
    ("621228", "两当县"),
    ("622900", "临夏回族自治州"),
    ("622901", "临夏市"),
    ("622921", "临夏县"),
    ("622922", "康乐县"),
    ("622923", "永靖县"),
    ("622924", "广河县"),
    ("622925", "和政县"),
    ("622926", "东乡族自治县"),
    ("622927", "积石山保安族东乡族撒拉族自治县"),
    ("623000", "甘南藏族自治州"),
    ("623001", "合作市"),
    ("623021", "临潭县"),
    ("623022", "卓尼县"),
    ("623023", "舟曲县"),
    ("623024", "迭部县"),
    ("623025", "玛曲县"),
    ("623026", "碌曲县"),
    ("623027", "夏河县"),
];

/// Provinces and province-level divisions by their two-digit prefix.
const PROVINCES: &[(&str, &str)] = &[
    ("11", "北京市"),
    ("12", "天津市"),
    ("13", "河北省"),
    ("14", "山西省"),
    ("15", "内蒙古自治区"),
    ("21", "辽宁省"),
    ("22", "吉林省"),
    ("23", "黑龙江省"),
    ("31", "上海市"),
    ("32", "江苏省"),
    ("33", "浙江省"),
    ("34", "安徽省"),
    ("35", "福建省"),
    ("36", "江西省"),
    ("37", "山东省"),
    ("41", "河南省"),
    ("42", "湖北省"),
    ("43", "湖南省"),
    ("44", "广东省"),
    ("45", "广西壮族自治区"),
    ("46", "海南省"),
    ("50", "重庆市"),
    ("51", "四川省"),
    ("52", "贵州省"),
    ("53", "云南省"),
    ("54", "西藏自治区"),
    ("61", "陕西省"),
    ("62", "甘肃省"),
    ("63", "青海省"),
    ("64", "宁夏回族自治区"),
    ("65", "新疆维吾尔自治区"),
    ("71", "台湾省"),
    ("81", "香港特别行政区"),
    ("82", "澳门特别行政区"),
];

fn gansu(code: &str) -> Option<&'static str> {
    GANSU.iter().find(|(c, _)| *c == code).map(|(_, name)| *name)
}

/// A region code as people read it: `甘肃省天水市麦积区` for a Gansu county, `陕西省（610103）`
/// elsewhere (the province, with the code for the rest), the code itself when it is no known
/// province's.
pub fn region_name(code: &str) -> String {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return code.to_string();
    }
    let Some(province) = PROVINCES.iter().find(|(p, _)| code.starts_with(p)).map(|(_, name)| *name) else {
        return code.to_string();
    };
    if code == "620000" {
        return province.to_string();
    }
    let prefecture = gansu(&format!("{}00", &code[..4]));
    match (code.starts_with("62"), prefecture, gansu(code)) {
        (true, Some(prefecture), Some(name)) if name == prefecture => format!("{province}{prefecture}"),
        (true, Some(prefecture), Some(name)) => format!("{province}{prefecture}{name}"),
        _ => format!("{province}（{code}）"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_gansu_in_full_and_others_by_province() {
        assert_eq!(region_name("620503"), "甘肃省天水市麦积区");
        assert_eq!(region_name("620500"), "甘肃省天水市");
        assert_eq!(region_name("620200"), "甘肃省嘉峪关市");
        assert_eq!(region_name("620000"), "甘肃省");
        assert_eq!(region_name("623027"), "甘肃省甘南藏族自治州夏河县");
        assert_eq!(region_name("610103"), "陕西省（610103）");
        assert_eq!(region_name("629999"), "甘肃省（629999）");
        assert_eq!(region_name("990000"), "990000");
        assert_eq!(region_name("12"), "12");
        assert_eq!(tianshui_county("620503"), Some("麦积区"));
        assert_eq!(tianshui_county("620500"), None);
        assert_eq!(tianshui_county("620102"), None);
    }

    #[test]
    fn every_gansu_code_is_under_a_prefecture() {
        for (code, _) in GANSU {
            assert!(gansu(&format!("{}00", &code[..4])).is_some(), "{code}");
        }
    }
}
