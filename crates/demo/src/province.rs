//! The province demo: 5,000,000 members in about 250,000 units, for load
//! and scale tests. A province committee over its organs and 14 cities, each
//! city over its organs and about ten counties, each county over its organs,
//! enterprises and towns, each town over its villages and communities.

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use xueshi_domain::access::Role;
use xueshi_domain::unit::UnitKind::*;

use super::people::Setting::*;
use super::plan::{Plan, PlanAccount};

pub const MEMBERS: u64 = 5_000_000;

const CITIES: [&str; 14] = [
    "长沙市",
    "株洲市",
    "湘潭市",
    "衡阳市",
    "邵阳市",
    "岳阳市",
    "常德市",
    "张家界市",
    "益阳市",
    "郴州市",
    "永州市",
    "怀化市",
    "娄底市",
    "湘西州",
];
const FIRST: &[&str] = &[
    "安", "宁", "平", "永", "新", "长", "东", "西", "南", "北", "清", "临", "石", "桃", "湘", "资",
    "沅", "双", "华", "云", "龙", "凤", "青", "江",
];
const SECOND: &[&str] = &[
    "乡", "阳", "江", "源", "山", "溪", "田", "桥", "湖", "岭", "塘", "口", "坪", "洲", "坡", "冲",
    "湾", "林", "丰", "兴", "和", "安",
];

fn place(rng: &mut ChaCha8Rng) -> String {
    format!(
        "{}{}",
        FIRST.choose(rng).unwrap_or(&"安"),
        SECOND.choose(rng).unwrap_or(&"乡")
    )
}

pub fn plan(seed: u64) -> Plan {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut p = Plan::default();
    let root = p.unit(None, LocalCommittee, "中共湖南省委员会", Organ);
    p.set_code(root, "HN");
    p.regions.push((root, "430000".to_owned()));
    let organs = p.unit(
        Some(root),
        WorkingCommittee,
        "中共湖南省直属机关工作委员会",
        Organ,
    );
    for d in 0..120 {
        let c = p.unit(
            Some(organs),
            OrganCommittee,
            format!("省直第{}单位机关党委", d + 1),
            Organ,
        );
        for k in 1..=4 {
            p.unit(
                Some(c),
                Branch,
                format!("省直第{}单位第{k}党支部", d + 1),
                Organ,
            );
        }
    }
    for (ci, city) in CITIES.iter().enumerate() {
        let c = p.unit(
            Some(root),
            LocalCommittee,
            format!("中共{city}委员会"),
            Organ,
        );
        let co = p.unit(
            Some(c),
            WorkingCommittee,
            format!("中共{city}直属机关工作委员会"),
            Organ,
        );
        for d in 1..=60 {
            p.unit(
                Some(co),
                Branch,
                format!("{city}直第{d}单位机关党支部"),
                Organ,
            );
        }
        for k in 0..10 {
            let county_name = format!("{}县", place(&mut rng));
            let county = p.unit(
                Some(c),
                LocalCommittee,
                format!("中共{county_name}委员会"),
                Organ,
            );
            p.regions
                .push((county, format!("43{:02}{:02}", ci + 1, k + 21)));
            let cw = p.unit(
                Some(county),
                WorkingCommittee,
                format!("中共{county_name}直属机关工作委员会"),
                Organ,
            );
            for d in 1..=40 {
                p.unit(
                    Some(cw),
                    Branch,
                    format!("{county_name}直第{d}单位机关党支部"),
                    Organ,
                );
            }
            for e in 1..=20 {
                p.unit(
                    Some(county),
                    Branch,
                    format!("{county_name}第{e}非公企业党支部"),
                    Enterprise,
                );
            }
            for _ in 0..18 {
                let town_name = format!("{}镇", place(&mut rng));
                let town = p.unit(
                    Some(county),
                    PartyCommittee,
                    format!("中共{county_name}{town_name}委员会"),
                    Organ,
                );
                p.unit(Some(town), Branch, format!("{town_name}机关党支部"), Organ);
                p.unit(
                    Some(town),
                    Branch,
                    format!("{town_name}中心学校党支部"),
                    Public,
                );
                p.unit(
                    Some(town),
                    Branch,
                    format!("{town_name}卫生院党支部"),
                    Public,
                );
                for v in 0..35 {
                    let (suffix, setting) = if v % 5 == 0 {
                        ("社区", Community)
                    } else {
                        ("村", Village)
                    };
                    let vname = format!("{}{suffix}", place(&mut rng));
                    if rng.random_bool(0.55) {
                        let g =
                            p.unit(Some(town), GeneralBranch, format!("{vname}党总支"), setting);
                        for b in 1..=rng.random_range(2..=4) {
                            p.unit(Some(g), Branch, format!("{vname}第{b}党支部"), setting);
                        }
                    } else {
                        p.unit(Some(town), Branch, format!("{vname}党支部"), setting);
                    }
                }
            }
        }
    }
    let weights: Vec<f64> = (0..p.units.len())
        .map(|_| rng.random_range(0.5..1.5))
        .collect();
    p.spread_members(MEMBERS, |i| weights[i]);
    p.accounts = vec![
        PlanAccount {
            username: "admin",
            display_name: "系统管理员",
            role: Role::SystemAdmin,
            scope: root,
            member: None,
            can_unmask: true,
        },
        PlanAccount {
            username: "office",
            display_name: "省委党史学习教育办公室",
            role: Role::CampaignOffice,
            scope: root,
            member: None,
            can_unmask: true,
        },
    ];
    p
}
