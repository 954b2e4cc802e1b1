//! The closed vocabularies of technology-contract registration (DOMAIN.md §6): types and their
//! subtypes, IP types, government programmes, payment modes, approvals, refusal reasons.

use crate::labelled_enum;

labelled_enum!(
    /// 合同类型 under the Civil Code.
    ContractType {
        Development = "development": "技术开发",
        Transfer = "transfer": "技术转让",
        Licence = "licence": "技术许可",
        Consulting = "consulting": "技术咨询",
        Service = "service": "技术服务",
    }
);

labelled_enum!(
    /// 合同子类; each belongs to exactly one type.
    Subtype {
        CommissionedDevelopment = "commissioned_development": "委托开发",
        CooperativeDevelopment = "cooperative_development": "合作开发",
        PatentTransfer = "patent_transfer": "专利权转让",
        PatentApplicationTransfer = "patent_application_transfer": "专利申请权转让",
        KnowHowTransfer = "know_how_transfer": "技术秘密转让",
        OtherTransfer = "other_transfer": "其他技术转让（集成电路布图设计、植物新品种、软件著作权等）",
        ExclusivePatentLicence = "exclusive_patent_licence": "专利实施许可（独占）",
        SolePatentLicence = "sole_patent_licence": "专利实施许可（排他）",
        OrdinaryPatentLicence = "ordinary_patent_licence": "专利实施许可（普通）",
        KnowHowLicence = "know_how_licence": "技术秘密使用许可",
        OtherLicence = "other_licence": "其他技术许可",
        Consulting = "consulting": "技术咨询",
        Service = "service": "技术服务",
        Training = "training": "技术培训",
        Intermediary = "intermediary": "技术中介",
    }
);

impl Subtype {
    /// The type this subtype belongs to.
    pub fn contract_type(self) -> ContractType {
        use Subtype::*;
        match self {
            CommissionedDevelopment | CooperativeDevelopment => ContractType::Development,
            PatentTransfer | PatentApplicationTransfer | KnowHowTransfer | OtherTransfer => ContractType::Transfer,
            ExclusivePatentLicence | SolePatentLicence | OrdinaryPatentLicence | KnowHowLicence | OtherLicence => {
                ContractType::Licence
            }
            Consulting => ContractType::Consulting,
            Service | Training | Intermediary => ContractType::Service,
        }
    }
}

impl ContractType {
    /// Its subtypes, in display order.
    pub fn subtypes(self) -> Vec<Subtype> {
        Subtype::ALL.iter().copied().filter(|s| s.contract_type() == self).collect()
    }

    /// Technology transfer records the buyer's expected new investment and output value.
    pub fn records_expected_effects(self) -> bool {
        self == ContractType::Transfer
    }
}

labelled_enum!(
    /// 知识产权类型 of the contract's subject.
    IpType {
        InventionPatent = "invention_patent": "发明专利",
        UtilityModel = "utility_model": "实用新型专利",
        Design = "design": "外观设计专利",
        Software = "software": "计算机软件著作权",
        IcLayout = "ic_layout": "集成电路布图设计",
        PlantVariety = "plant_variety": "植物新品种",
        KnowHow = "know_how": "技术秘密",
        Other = "other": "其他",
        None = "none": "不涉及知识产权",
    }
);

labelled_enum!(
    /// 计划类别: the government programme the work came from, if any.
    Programme {
        None = "none": "无",
        National = "national": "国家科技计划",
        Provincial = "provincial": "省级科技计划",
        Municipal = "municipal": "市级科技计划",
        District = "district": "区县级科技计划",
        Other = "other": "其他政府计划",
    }
);

labelled_enum!(
    /// 支付方式.
    PaymentMode {
        LumpSum = "lump_sum": "一次总付",
        Instalments = "instalments": "分期支付",
        Royalties = "royalties": "提成支付",
        LumpSumAndRoyalties = "lump_sum_and_royalties": "入门费加提成",
        Equity = "equity": "技术入股",
    }
);

labelled_enum!(
    /// Whether approvals or certificates the subject needs (e.g. 新药证书, 农药登记) are in hand.
    Approvals {
        NotRequired = "not_required": "无需审批或许可",
        Obtained = "obtained": "已取得",
        Missing = "missing": "尚未取得",
    }
);

labelled_enum!(
    /// 未予登记 reasons, as the registries state them.
    RefusalReason {
        InvalidContract = "invalid_contract": "合同无效或未依法成立",
        OralContract = "oral_contract": "口头合同，无书面文本",
        NotTechnology = "not_technology": "不属于技术合同（标的非技术内容）",
        UnclearTerms = "unclear_terms": "当事人、标的或价款不明确",
        MissingApprovals = "missing_approvals": "缺少依法应取得的审批或许可证明",
        Monopolistic = "monopolistic": "含有非法垄断技术、妨碍技术进步的条款",
        Other = "other": "其他（见说明）",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_subtypes_and_every_subtype_one_type() {
        for kind in ContractType::ALL {
            assert!(!kind.subtypes().is_empty(), "{kind:?}");
        }
        let total: usize = ContractType::ALL.iter().map(|k| k.subtypes().len()).sum();
        assert_eq!(total, Subtype::ALL.len());
        assert_eq!(Subtype::Training.contract_type(), ContractType::Service);
        assert_eq!(Subtype::Intermediary.contract_type(), ContractType::Service);
        assert_eq!(Subtype::from_code("know_how_licence").map(Subtype::contract_type), Some(ContractType::Licence));
    }
}
