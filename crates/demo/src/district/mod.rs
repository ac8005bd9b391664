//! The district demo, modelled on 云溪区 as seed 001 describes it: 534
//! grassroots Party organisations and 11,543 members under the district
//! committee — five towns and streets, the green chemical industry park, the
//! district organs and the units stationed in the district — with the
//! leading group, its office and seven working groups, five guidance groups
//! each covering a slice, and one lecture team with five sub-teams.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use xueshi_domain::unit::UnitKind::{self, *};

use super::people::Setting::{self, *};
use super::plan::Plan;

mod organs;

/// The figures seed 001 quotes.
pub const GRASSROOTS: usize = 534;
pub const MEMBERS: u64 = 11_543;

const TOWNS: [(&str, UnitKind, &[&str]); 5] = [
    (
        "云溪街道党工委",
        WorkingCommittee,
        &[
            "青坡社区",
            "云溪社区",
            "八里村",
            "荣家湾社区",
            "南园村",
            "滨江社区",
            "道仁矶村",
            "杨树村",
        ],
    ),
    (
        "长岭街道党工委",
        WorkingCommittee,
        &[
            "长炼社区",
            "和平社区",
            "建设社区",
            "高炼社区",
            "松阳社区",
            "丁山村",
            "长岭村",
        ],
    ),
    (
        "松杨湖街道党工委",
        WorkingCommittee,
        &[
            "茅岭头社区",
            "松杨湖社区",
            "仙人桥村",
            "黄泥岭村",
            "湖滨社区",
            "天鹅社区",
        ],
    ),
    (
        "陆城镇党委",
        PartyCommittee,
        &[
            "陆城社区",
            "桃林村",
            "旭东村",
            "白泥湖村",
            "儒溪村",
            "城南村",
            "文家村",
            "东风村",
            "新河村",
        ],
    ),
    (
        "路口镇党委",
        PartyCommittee,
        &[
            "路口社区",
            "枧冲村",
            "丁山坡村",
            "临湘塘村",
            "宋家坳村",
            "甘田村",
            "云峰村",
            "大岭村",
        ],
    ),
];

const DEPARTMENTS: [&str; 34] = [
    "区委办公室",
    "区人大常委会机关",
    "区政府办公室",
    "区政协机关",
    "区纪委监委机关",
    "区委组织部",
    "区委宣传部",
    "区委统战部",
    "区委政法委",
    "区委党校",
    "区发展和改革局",
    "区财政局",
    "区人力资源和社会保障局",
    "区自然资源局",
    "区住房和城乡建设局",
    "区交通运输局",
    "区城市管理和综合执法局",
    "区农业农村局",
    "区水利局",
    "区商务局",
    "区文化旅游广电体育局",
    "区退役军人事务局",
    "区应急管理局",
    "区审计局",
    "区市场监督管理局",
    "区统计局",
    "区医疗保障局",
    "区司法局",
    "区民政局",
    "区融媒体中心",
    "区档案馆",
    "区信访局",
    "区总工会",
    "团区委",
];

/// Departments whose members include the district's county-level leaders.
const LEADERSHIP: [&str; 5] = [
    "区委办公室",
    "区人大常委会机关",
    "区政府办公室",
    "区政协机关",
    "区纪委监委机关",
];

const ENTERPRISES: [&str; 18] = [
    "岳阳新金宝科技有限公司",
    "湖南长炼新材料科技股份公司",
    "岳阳兴长石化股份有限公司",
    "湖南中创化工股份有限公司",
    "岳阳昌德化工实业有限公司",
    "湖南云溪高新材料有限公司",
    "岳阳科罗德联合化工实业有限公司",
    "湖南东为化工新材料有限公司",
    "岳阳鼎格云天环保科技有限公司",
    "湖南博邦山河新材料有限公司",
    "岳阳恒忠新材料有限公司",
    "湖南宇新能源科技有限公司",
    "岳阳凯门水性助剂有限公司",
    "湖南恒光化工有限公司",
    "岳阳金瀚高新技术股份有限公司",
    "湖南岳化化工股份有限公司",
    "岳阳隆兴实业有限公司",
    "湖南兴鹏化工科技有限公司",
];

const SCHOOLS: [&str; 12] = [
    "云溪区第一中学",
    "云溪区第二中学",
    "长岭中学",
    "陆城中学",
    "路口中学",
    "云溪区实验小学",
    "长岭小学",
    "松杨湖小学",
    "陆城中心小学",
    "路口中心小学",
    "云溪区职业中专",
    "云溪区特殊教育学校",
];

const HOSPITALS: [&str; 6] = [
    "区人民医院",
    "区中医医院",
    "区妇幼保健计划生育服务中心",
    "区疾病预防控制中心",
    "长岭医院",
    "陆城镇卫生院",
];

const STATIONS: [&str; 6] = [
    "云溪派出所",
    "长岭派出所",
    "松杨湖派出所",
    "陆城派出所",
    "路口派出所",
    "交警大队",
];

/// Units of the district plan the organs and accounts refer to.
struct Landmarks {
    root: usize,
    towns: Vec<usize>,
    park: usize,
    organs_committee: usize,
    education: usize,
    health: usize,
    police: usize,
    stationed: Vec<usize>,
    leadership: Vec<usize>,
    propaganda: usize,
    history_office: usize,
    school_units: Vec<usize>,
    maolingtou_branch: usize,
}

/// The plan of the district for a seed.
pub fn plan(seed: u64) -> Plan {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut p = Plan::default();
    let root = p.unit(None, LocalCommittee, "中共岳阳市云溪区委员会", Organ);
    p.set_code(root, "YX");
    p.regions.push((root, "430603".to_owned()));

    // Towns and streets: organs branch, schools and clinics are added below;
    // villages and communities get their branches once the budget is known.
    let mut towns = Vec::new();
    let mut villages: Vec<(usize, &str, Setting)> = Vec::new();
    let mut maolingtou = 0;
    for (name, kind, places) in TOWNS {
        let t = p.unit(Some(root), kind, name, Organ);
        towns.push(t);
        let town_short = name.trim_end_matches("党工委").trim_end_matches("党委");
        let b = p.unit(Some(t), Branch, format!("{town_short}机关党支部"), Organ);
        p.units[b].posts = vec!["党支部书记", "党支部副书记"];
        for place in places {
            let setting = if place.ends_with("社区") {
                Community
            } else {
                Village
            };
            villages.push((t, place, setting));
            if *place == "茅岭头社区" {
                maolingtou = villages.len() - 1;
            }
        }
    }

    // District organs under the organs' working committee (区直机关工委).
    let organs_committee = p.unit(
        Some(root),
        WorkingCommittee,
        "中共云溪区直属机关工作委员会",
        Organ,
    );
    let mut leadership = Vec::new();
    let mut propaganda = 0;
    let mut history_office = 0;
    for dept in DEPARTMENTS {
        let big = LEADERSHIP.contains(&dept)
            || matches!(dept, "区纪委监委机关" | "区委组织部" | "区财政局");
        if big {
            let c = p.unit(
                Some(organs_committee),
                OrganCommittee,
                format!("{dept}机关党委"),
                Organ,
            );
            for k in ["第一党支部", "第二党支部", "第三党支部"] {
                let b = p.unit(Some(c), Branch, format!("{dept}{k}"), Organ);
                p.units[b].posts = vec!["党支部书记", "党支部副书记", "组织委员"];
                if LEADERSHIP.contains(&dept) {
                    p.units[b].leaders = 4;
                    leadership.push(b);
                }
                p.units[b].sections = 4;
            }
        } else {
            let b = p.unit(
                Some(organs_committee),
                Branch,
                format!("{dept}机关党支部"),
                Organ,
            );
            p.units[b].posts = vec!["党支部书记", "党支部副书记"];
            p.units[b].sections = 3;
            if dept == "区委宣传部" {
                propaganda = b;
            }
            if dept == "区委党校" {
                history_office = b;
            }
        }
    }
    let court = p.unit(Some(root), LeadingPartyGroup, "云溪区人民法院党组", Organ);
    let cg = p.unit(
        Some(court),
        GeneralBranch,
        "云溪区人民法院机关党总支",
        Organ,
    );
    for k in [
        "审判第一党支部",
        "审判第二党支部",
        "执行局党支部",
        "综合党支部",
    ] {
        p.unit(Some(cg), Branch, format!("区法院{k}"), Organ);
    }
    let proc = p.unit(Some(root), LeadingPartyGroup, "云溪区人民检察院党组", Organ);
    p.unit(Some(proc), Branch, "云溪区人民检察院机关党支部", Organ);
    p.unit(Some(proc), Branch, "云溪区人民检察院检察业务党支部", Organ);

    // Education and health systems.
    let education = p.unit(
        Some(root),
        WorkingCommittee,
        "中共云溪区委教育工作委员会",
        Public,
    );
    let mut school_units = Vec::new();
    for s in SCHOOLS {
        if s == "云溪区第一中学" {
            let g = p.unit(Some(education), GeneralBranch, format!("{s}党总支"), Public);
            for k in [
                "高一年级党支部",
                "高二年级党支部",
                "高三年级党支部",
                "行政后勤党支部",
            ] {
                school_units.push(p.unit(Some(g), Branch, format!("{s}{k}"), Public));
            }
        } else {
            school_units.push(p.unit(Some(education), Branch, format!("{s}党支部"), Public));
        }
    }
    let health = p.unit(
        Some(root),
        PartyCommittee,
        "中共云溪区卫生健康系统委员会",
        Public,
    );
    for h in HOSPITALS {
        if h == "区人民医院" {
            let g = p.unit(Some(health), GeneralBranch, format!("{h}党总支"), Public);
            for k in ["内科党支部", "外科党支部", "医技党支部", "行政后勤党支部"]
            {
                p.unit(Some(g), Branch, format!("{h}{k}"), Public);
            }
        } else {
            p.unit(Some(health), Branch, format!("{h}党支部"), Public);
        }
    }
    let police = p.unit(
        Some(root),
        PartyCommittee,
        "中共岳阳市公安局云溪分局委员会",
        Organ,
    );
    p.unit(Some(police), Branch, "云溪分局机关党支部", Organ);
    for s in STATIONS {
        p.unit(Some(police), Branch, format!("{s}党支部"), Organ);
    }

    // The green chemical industry park.
    let park = p.unit(
        Some(root),
        WorkingCommittee,
        "中共岳阳绿色化工产业园工作委员会",
        Organ,
    );
    p.unit(Some(park), Branch, "产业园管委会机关党支部", Organ);
    for e in ENTERPRISES {
        p.unit(Some(park), Branch, format!("{e}党支部"), Enterprise);
    }
    p.unit(Some(park), Branch, "产业园非公企业联合党支部", Enterprise);

    // Units stationed in the district, with a temporary branch and Party
    // groups on the works floor.
    let mut stationed = Vec::new();
    for (name, workshops) in [
        (
            "中国石化长岭分公司党委",
            [
                "炼油一部",
                "炼油二部",
                "化工部",
                "储运部",
                "动力部",
                "质量检验中心",
                "机关",
            ],
        ),
        (
            "中国石化巴陵石化公司党委",
            [
                "己内酰胺部",
                "环氧树脂部",
                "合成橡胶部",
                "热电部",
                "机关",
                "研究院",
                "储运部",
            ],
        ),
    ] {
        let c = p.unit(Some(root), PartyCommittee, name, Enterprise);
        stationed.push(c);
        let short = name.trim_end_matches("党委");
        for w in workshops {
            let g = p.unit(
                Some(c),
                GeneralBranch,
                format!("{short}{w}党总支"),
                Enterprise,
            );
            for k in ["第一党支部", "第二党支部", "第三党支部"] {
                let b = p.unit(Some(g), Branch, format!("{w}{k}"), Enterprise);
                if k == "第一党支部" && w == "炼油一部" {
                    for grp in ["运行一班党小组", "运行二班党小组", "运行三班党小组"]
                    {
                        p.unit(Some(b), PartyGroup, grp, Enterprise);
                    }
                }
            }
        }
    }
    p.unit(
        Some(stationed[0]),
        TemporaryBranch,
        "长岭分公司停工大检修临时党支部",
        Enterprise,
    );
    p.unit(
        Some(towns[0]),
        TemporaryBranch,
        "云溪街道战“疫”一线临时党支部",
        Community,
    );
    stationed.push(police);

    // Villages and communities take the rest of the 534: each is one branch,
    // or a general branch over several branches.
    let fixed = p.grassroots();
    let budget = GRASSROOTS
        .checked_sub(fixed)
        .expect("the fixed part leaves room for villages");
    let mut branches = vec![1usize; villages.len()];
    let contribution =
        |b: &[usize]| -> usize { b.iter().map(|&k| if k == 1 { 1 } else { k + 1 }).sum() };
    let mut order: Vec<usize> = (0..villages.len()).collect();
    order.shuffle(&mut rng);
    let mut cursor = 0;
    while contribution(&branches) < budget {
        let i = order[cursor % order.len()];
        cursor += 1;
        let room = budget - contribution(&branches);
        if branches[i] == 1 && room >= 2 {
            branches[i] = 3.min(room);
        } else if branches[i] > 1 && branches[i] < 9 {
            branches[i] += 1;
        }
    }
    let names = [
        "第一党支部",
        "第二党支部",
        "第三党支部",
        "第四党支部",
        "第五党支部",
        "老年党支部",
        "流动党员党支部",
        "网格党支部",
        "产业党支部",
    ];
    let mut maolingtou_branch = 0;
    for (i, (town, place, setting)) in villages.iter().enumerate() {
        let first = if branches[i] == 1 {
            let b = p.unit(Some(*town), Branch, format!("{place}党支部"), *setting);
            p.units[b].posts = vec!["党支部书记", "党支部副书记", "组织委员", "宣传委员"];
            b
        } else {
            let g = p.unit(
                Some(*town),
                GeneralBranch,
                format!("{place}党总支"),
                *setting,
            );
            let mut first = None;
            for k in names.iter().take(branches[i]) {
                let b = p.unit(Some(g), Branch, format!("{place}{k}"), *setting);
                p.units[b].posts = vec!["党支部书记", "组织委员"];
                first.get_or_insert(b);
            }
            first.unwrap_or(g)
        };
        if i == maolingtou {
            maolingtou_branch = first;
        }
    }
    assert_eq!(
        p.grassroots(),
        GRASSROOTS,
        "the district has exactly the seed's grassroots organisations"
    );

    let mut weights: Vec<f64> = Vec::new();
    for u in &p.units {
        let base = match u.setting {
            Village => 26.0,
            Community => 22.0,
            Organ => 14.0,
            Public => 18.0,
            Enterprise => 24.0,
        };
        weights.push(base * rng.random_range(0.6..1.4));
    }
    p.spread_members(MEMBERS, |i| weights[i]);
    debug_assert_eq!(p.member_total(), MEMBERS);

    let lm = Landmarks {
        root,
        towns,
        park,
        organs_committee,
        education,
        health,
        police,
        stationed,
        leadership,
        propaganda,
        history_office,
        school_units,
        maolingtou_branch,
    };
    organs::organs(&mut p, &lm, &mut rng);
    organs::accounts(&mut p, &lm);
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use xueshi_domain::organ::OrganKind;

    #[test]
    fn the_login_page_lists_the_accounts_the_district_makes() {
        let made: Vec<_> = plan(2021)
            .accounts
            .iter()
            .map(|a| (a.username, a.role))
            .collect();
        assert_eq!(made, crate::ACCOUNTS);
    }

    #[test]
    fn the_district_has_the_seed_figures_and_is_the_same_for_a_seed() {
        let a = plan(2021);
        assert_eq!(a.grassroots(), GRASSROOTS);
        assert_eq!(a.member_total(), MEMBERS);
        let b = plan(2021);
        assert_eq!(
            a.units
                .iter()
                .map(|u| (&u.name, u.members))
                .collect::<Vec<_>>(),
            b.units
                .iter()
                .map(|u| (&u.name, u.members))
                .collect::<Vec<_>>()
        );
        let c = plan(7);
        assert_eq!(c.grassroots(), GRASSROOTS);
        assert_eq!(c.member_total(), MEMBERS);
        assert!(
            a.units
                .iter()
                .all(|u| u.parent.is_none_or(|p| a.units[p].kind.may_contain(u.kind)))
        );
        let kinds = |k: OrganKind| a.organs.iter().filter(|o| o.kind == k).count();
        assert_eq!(
            (
                kinds(OrganKind::LeadingGroup),
                kinds(OrganKind::WorkingGroup),
                kinds(OrganKind::GuidanceGroup)
            ),
            (1, 7, 5)
        );
        assert_eq!(
            (
                kinds(OrganKind::LectureTeam),
                kinds(OrganKind::LectureSubteam)
            ),
            (1, 5)
        );
        let codes: std::collections::HashSet<_> = a.units.iter().map(|u| &u.code).collect();
        assert_eq!(codes.len(), a.units.len());
    }
}
