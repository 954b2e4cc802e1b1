//! The classifications listings carry (DOMAIN.md §3–4): technical fields of the national
//! technology-market statistics, GB/T 4754-2017 industry sections, maturity, transfer modes,
//! pricing routes, achievement types and IP carriers.

use crate::labelled_enum;

labelled_enum!(
    /// 技术领域 — the 11 fields national technology-market statistics use.
    TechnicalField {
        ElectronicInformation = "electronic_information": "电子信息",
        AdvancedManufacturing = "advanced_manufacturing": "先进制造",
        Aerospace = "aerospace": "航空航天",
        ModernTransport = "modern_transport": "现代交通",
        Agriculture = "agriculture": "农业",
        NewMaterials = "new_materials": "新材料及其应用",
        NewEnergy = "new_energy": "新能源与高效节能",
        Environment = "environment": "环境保护与资源综合利用",
        BiomedicalDevices = "biomedical": "生物、医药和医疗器械",
        NuclearApplication = "nuclear": "核应用",
        UrbanDevelopment = "urban_development": "城市建设与社会发展",
    }
);

labelled_enum!(
    /// 国民经济行业分类 GB/T 4754-2017, 门类 A–T.
    IndustrySection {
        A = "A": "A 农、林、牧、渔业",
        B = "B": "B 采矿业",
        C = "C": "C 制造业",
        D = "D": "D 电力、热力、燃气及水生产和供应业",
        E = "E": "E 建筑业",
        F = "F": "F 批发和零售业",
        G = "G": "G 交通运输、仓储和邮政业",
        H = "H": "H 住宿和餐饮业",
        I = "I": "I 信息传输、软件和信息技术服务业",
        J = "J": "J 金融业",
        K = "K": "K 房地产业",
        L = "L": "L 租赁和商务服务业",
        M = "M": "M 科学研究和技术服务业",
        N = "N": "N 水利、环境和公共设施管理业",
        O = "O": "O 居民服务、修理和其他服务业",
        P = "P": "P 教育",
        Q = "Q": "Q 卫生和社会工作",
        R = "R": "R 文化、体育和娱乐业",
        S = "S": "S 公共管理、社会保障和社会组织",
        T = "T": "T 国际组织",
    }
);

impl IndustrySection {
    /// The 大类 (two-digit division) numbers that belong to this section in GB/T 4754-2017.
    pub fn divisions(self) -> std::ops::RangeInclusive<u8> {
        use IndustrySection::*;
        match self {
            A => 1..=5,
            B => 6..=12,
            C => 13..=43,
            D => 44..=46,
            E => 47..=50,
            F => 51..=52,
            G => 53..=60,
            H => 61..=62,
            I => 63..=65,
            J => 66..=69,
            K => 70..=70,
            L => 71..=72,
            M => 73..=75,
            N => 76..=79,
            O => 80..=82,
            P => 83..=83,
            Q => 84..=85,
            R => 86..=90,
            S => 91..=96,
            T => 97..=97,
        }
    }

    /// Whether a two-digit 大类 code (e.g. `34` 通用设备制造业) lies in this section.
    pub fn contains_division(self, division: &str) -> bool {
        division.len() == 2 && division.parse::<u8>().is_ok_and(|d| self.divisions().contains(&d))
    }
}

labelled_enum!(
    /// The coarse maturity stage.
    Stage {
        Laboratory = "laboratory": "实验室",
        SmallPilot = "small_pilot": "小试",
        Pilot = "pilot": "中试",
        Industrial = "industrial": "产业化",
    }
);

labelled_enum!(
    /// How an achievement may change hands.
    TransferMode {
        Transfer = "transfer": "转让",
        LicenseExclusive = "license_exclusive": "独占许可",
        LicenseSole = "license_sole": "排他许可",
        LicenseGeneral = "license_general": "普通许可",
        Equity = "equity": "作价投资",
        CoDevelopment = "co_development": "合作开发",
        Service = "service": "技术服务",
        Consulting = "consulting": "技术咨询",
    }
);

labelled_enum!(
    /// How an enterprise wants to work with whoever solves its demand.
    CooperationMode {
        Transfer = "transfer": "技术转让",
        License = "license": "技术许可",
        Commissioned = "commissioned": "委托开发",
        CoDevelopment = "co_development": "合作开发",
        Service = "service": "技术服务",
        Consulting = "consulting": "技术咨询",
    }
);

labelled_enum!(
    /// The four pricing routes of the district plan (section 四, item 1).
    PricingRoute {
        Negotiated = "negotiated": "协议定价",
        Listing = "listing": "挂牌交易",
        Auction = "auction": "拍卖",
        Appraisal = "appraisal": "资产评估",
    }
);

labelled_enum!(
    /// 成果类型.
    AchievementType {
        Applied = "applied": "应用技术成果",
        BasicTheory = "basic_theory": "基础理论成果",
        SoftScience = "soft_science": "软科学成果",
    }
);

labelled_enum!(
    /// 知识产权载体.
    IpCarrier {
        Patent = "patent": "专利权",
        PatentApplication = "patent_application": "专利申请权",
        SoftwareCopyright = "software_copyright": "计算机软件著作权",
        IcLayout = "ic_layout": "集成电路布图设计专有权",
        PlantVariety = "plant_variety": "植物新品种权",
        BiomedVariety = "biomed_variety": "生物医药新品种",
        TradeSecret = "trade_secret": "技术秘密",
        Other = "other": "其他",
    }
);

impl IpCarrier {
    /// Carriers that come with patent application numbers.
    pub fn needs_patent_numbers(self) -> bool {
        matches!(self, IpCarrier::Patent | IpCarrier::PatentApplication)
    }
}

/// The stage a technology readiness level falls in (TRL 1–3 laboratory, 4–5 small pilot,
/// 6–7 pilot, 8–9 industrial), used to check that the two agree.
pub fn stage_for_trl(trl: u8) -> Option<Stage> {
    match trl {
        1..=3 => Some(Stage::Laboratory),
        4..=5 => Some(Stage::SmallPilot),
        6..=7 => Some(Stage::Pilot),
        8..=9 => Some(Stage::Industrial),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn industry_divisions_cover_01_to_97_once() {
        let mut seen = [0u8; 98];
        for section in IndustrySection::ALL {
            for d in section.divisions() {
                seen[usize::from(d)] += 1;
            }
        }
        assert!(seen[1..=97].iter().all(|n| *n == 1));
        assert!(IndustrySection::C.contains_division("34"));
        assert!(!IndustrySection::C.contains_division("44"));
        assert!(!IndustrySection::C.contains_division("3"));
        assert!(!IndustrySection::C.contains_division("x4"));
    }

    #[test]
    fn vocabularies_have_the_documented_sizes() {
        assert_eq!(TechnicalField::ALL.len(), 11);
        assert_eq!(IndustrySection::ALL.len(), 20);
        assert_eq!(PricingRoute::ALL.len(), 4);
        assert_eq!(IpCarrier::ALL.len(), 8);
        assert_eq!(stage_for_trl(6), Some(Stage::Pilot));
        assert_eq!(stage_for_trl(0), None);
        assert_eq!(stage_for_trl(10), None);
    }
}
