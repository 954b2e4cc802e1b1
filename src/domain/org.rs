//! Vocabularies of organisations: kinds, the registration nature codes, qualifications.

use crate::labelled_enum;

labelled_enum!(
    /// What an organisation is on the platform.
    OrganisationKind {
        Institution = "institution": "高校/科研院所",
        Enterprise = "enterprise": "企业",
        Agency = "agency": "政府机关/服务机构",
        BrokerFirm = "broker_firm": "技术转移机构",
    }
);

labelled_enum!(
    /// 单位性质, as technology-contract registration records it for each party (DOMAIN.md §6).
    NatureCode {
        Government = "government": "机关",
        PublicResearch = "public_research": "事业单位（科研机构）",
        PublicUniversity = "public_university": "事业单位（高等院校）",
        PublicMedical = "public_medical": "事业单位（医疗卫生）",
        PublicOther = "public_other": "事业单位（其他）",
        Association = "association": "社会团体",
        EnterpriseState = "enterprise_state": "企业（国有）",
        EnterpriseCollective = "enterprise_collective": "企业（集体）",
        EnterprisePrivate = "enterprise_private": "企业（私营）",
        EnterpriseHkMoTw = "enterprise_hk_mo_tw": "企业（港澳台）",
        EnterpriseForeign = "enterprise_foreign": "企业（外资）",
        Individual = "individual": "个人",
    }
);

labelled_enum!(
    /// Qualifications the plan's indicators 13–15 count.
    Qualification {
        HighTechEnterprise = "high_tech_enterprise": "高新技术企业",
        ProvincialInnovative = "provincial_innovative_enterprise": "省级科技创新型企业",
        TechSme = "tech_sme": "科技型中小企业",
    }
);

impl NatureCode {
    /// Whether this nature is one of the enterprise kinds.
    pub fn is_enterprise(self) -> bool {
        self.code().starts_with("enterprise_")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        let codes: Vec<&str> = NatureCode::ALL.iter().map(|n| n.code()).collect();
        let mut unique = codes.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(codes.len(), unique.len());
        for nature in NatureCode::ALL {
            assert_eq!(NatureCode::from_code(nature.code()), Some(*nature));
        }
        assert_eq!(OrganisationKind::from_code("broker_firm"), Some(OrganisationKind::BrokerFirm));
        assert_eq!(Qualification::from_code("nope"), None);
        assert!(NatureCode::EnterprisePrivate.is_enterprise());
        assert!(!NatureCode::PublicUniversity.is_enterprise());
    }
}
