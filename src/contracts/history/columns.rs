//! The columns of a history file: the template's Chinese headers (with the aliases national
//! registry exports use); cells are read with `sheets::columns`.

use crate::sheets::{Column, col};

/// The template's columns, in order.
pub const COLUMNS: &[Column] = &[
    col(
        "registration_no",
        "登记编号",
        &["认定登记号", "登记号", "合同登记号"],
        true,
        "登记机构出具的登记编号，4–40 位字母、数字或连字符；同一编号只会导入一次",
    ),
    col("title", "合同名称", &["项目名称"], true, "4–100 字"),
    col("contract_type", "合同类型", &["合同类别"], true, "技术开发、技术转让、技术许可、技术咨询、技术服务"),
    col("subtype", "合同子类", &[], true, "如 委托开发、专利权转让、专利实施许可、技术培训、技术中介"),
    col("seller_name", "卖方名称", &["卖方", "卖方单位"], true, "技术进口合同填写境外卖方名称"),
    col("seller_credit_code", "卖方统一社会信用代码", &["卖方信用代码"], false, "18 位；个人和境外卖方留空"),
    col(
        "seller_nature",
        "卖方单位性质",
        &["卖方性质"],
        false,
        "如 事业单位（科研机构）、私营企业、个人；平台尚无此单位时必填",
    ),
    col(
        "seller_region",
        "卖方所在地代码",
        &["卖方所在地", "卖方行政区划代码"],
        true,
        "6 位行政区划代码（GB/T 2260），如 620503；技术进口合同填写国家或地区两位代码，如 DE",
    ),
    col("buyer_name", "买方名称", &["买方", "买方单位"], true, ""),
    col("buyer_credit_code", "买方统一社会信用代码", &["买方信用代码"], false, "18 位；个人留空"),
    col("buyer_nature", "买方单位性质", &["买方性质"], false, "技术进口合同由买方登记，平台尚无此单位时必填"),
    col("buyer_region", "买方所在地代码", &["买方所在地", "买方行政区划代码"], true, "6 位行政区划代码"),
    col("technology_import", "技术进口", &["是否技术进口"], false, "是 / 否（默认否）"),
    col("technical_field", "技术领域", &[], false, "如 电子信息、先进制造、农业"),
    col("signed_on", "签订日期", &["合同签订日期"], false, "如 2023-05-08"),
    col("accepted_on", "受理日期", &[], false, "默认与登记日期相同；不得晚于登记日期"),
    col("registered_on", "登记日期", &["认定登记日期"], true, "北京时间日期，不得晚于今天；合同计入该日期所在的月份"),
    col(
        "total",
        "合同成交额（元）",
        &["合同成交额", "成交金额（元）", "成交额（元）"],
        true,
        "元，可带千分位逗号；写“万”表示万元，如 120万",
    ),
    col("equipment", "设备购置费（元）", &["设备购置费"], false, "非技术性费用，从成交额中扣除"),
    col("instruments", "仪器费（元）", &["仪器费"], false, ""),
    col("parts", "零部件费（元）", &["零部件费"], false, ""),
    col("materials", "原材料费（元）", &["原材料费"], false, ""),
    col("carrier", "技术载体费（元）", &["技术载体费"], false, "记录但不扣除，不得超过成交额"),
    col("subject", "合同标的与技术内容", &["技术内容", "合同标的"], false, "最多 5000 字"),
];

/// Which history column each header cell is.
pub fn map_headers(headers: &[String]) -> Vec<Option<usize>> {
    crate::sheets::map_headers(COLUMNS, headers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::org::NatureCode;
    use crate::sheets::{vocabulary, yes_no};

    #[test]
    fn headers_and_vocabularies_are_read_leniently() {
        let headers: Vec<String> =
            ["登记编号*", "认定登记日期", "备注", " 合同成交额 "].iter().map(|s| s.to_string()).collect();
        let mapped = map_headers(&headers);
        assert_eq!(mapped[0].map(|i| COLUMNS[i].field), Some("registration_no"));
        assert_eq!(mapped[1].map(|i| COLUMNS[i].field), Some("registered_on"));
        assert_eq!(mapped[2], None);
        assert_eq!(mapped[3].map(|i| COLUMNS[i].field), Some("total"));
        let nature = |t| vocabulary(t, NatureCode::ALL, NatureCode::code, NatureCode::label);
        assert_eq!(nature("科研机构"), Some(NatureCode::PublicResearch));
        assert_eq!(nature("public_research"), Some(NatureCode::PublicResearch));
        assert_eq!(nature("事业单位"), None, "ambiguous");
        assert_eq!(nature("私营企业"), Some(NatureCode::EnterprisePrivate));
        assert_eq!(nature("国有企业"), Some(NatureCode::EnterpriseState));
        assert_eq!(yes_no("是"), Some(true));
        assert_eq!(yes_no("也许"), None);
    }
}
