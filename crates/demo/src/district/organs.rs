//! The district's campaign organs (领导小组 and its office and working
//! groups, the 巡回指导组 with their slices, the 宣讲团 and its sub-teams) and
//! the demo accounts, placed on the units the tree's plan marked.

use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use xueshi_domain::access::Role;
use xueshi_domain::organ::OrganKind;
use xueshi_domain::unit::UnitKind::Branch;

use super::Landmarks;
use crate::plan::{Plan, PlanAccount, PlanOrgan, PlanPerson};

fn member(unit: usize, nth: u32, post: &'static str) -> PlanPerson {
    PlanPerson::Member { unit, nth, post }
}

pub(super) fn organs(p: &mut Plan, lm: &Landmarks, rng: &mut ChaCha8Rng) {
    let lead = &lm.leadership;
    let pick = |rng: &mut ChaCha8Rng| -> (usize, u32) {
        (
            *lead.choose(rng).unwrap_or(&lm.root),
            rng.random_range(0..4),
        )
    };
    let mut people = vec![
        member(lead[0], 0, "组长"),
        member(lead[2], 0, "副组长"),
        member(lm.propaganda, 0, "副组长兼办公室主任"),
    ];
    for k in 1..7 {
        people.push(member(lead[k % lead.len()], 1 + (k as u32 % 3), "成员"));
    }
    let leading = add_organ(
        p,
        None,
        lm.root,
        OrganKind::LeadingGroup,
        "区委党史学习教育领导小组",
        "统筹全区党史学习教育，审议实施方案和任务清单",
        people,
        vec![],
    );
    add_organ(
        p,
        Some(leading),
        lm.root,
        OrganKind::Office,
        "区委党史学习教育领导小组办公室",
        "一周一调度、一周一简报、一月一小结；定期召开工作调度会",
        vec![
            member(lm.propaganda, 0, "办公室主任"),
            member(lm.propaganda, 1, "办公室副主任"),
            member(lm.propaganda, 2, "工作人员"),
        ],
        vec![],
    );
    let groups = [
        ("综合协调组", "统筹协调、督促调度、会议组织"),
        ("理论学习组", "专题学习、专题培训、中心组学习"),
        ("宣传报道组", "新闻宣传、网上宣讲、舆论引导"),
        ("实践活动组", "“我为群众办实事”实践活动"),
        ("简报材料组", "简报编发、综合材料、经验总结"),
        ("对外联络组", "对接上级指导组、联络驻区单位"),
        ("后勤保障组", "经费、场地、车辆等保障"),
    ];
    for (name, duties) in groups {
        let lead1 = pick(rng);
        let mut ppl = vec![member(lead1.0, lead1.1, "组长")];
        for _ in 0..3 {
            let d = *lm.leadership.choose(rng).unwrap_or(&lm.root);
            ppl.push(member(d, rng.random_range(4..8), "成员"));
        }
        add_organ(
            p,
            Some(leading),
            lm.root,
            OrganKind::WorkingGroup,
            name,
            duties,
            ppl,
            vec![],
        );
    }
    let slices: [(&str, Vec<usize>); 5] = [
        ("第一巡回指导组", lm.towns[..3].to_vec()),
        ("第二巡回指导组", lm.towns[3..].to_vec()),
        ("第三巡回指导组", vec![lm.park]),
        (
            "第四巡回指导组",
            vec![lm.organs_committee, lm.education, lm.health],
        ),
        ("第五巡回指导组", lm.stationed.clone()),
    ];
    for (i, (name, slice)) in slices.into_iter().enumerate() {
        let d = lm.leadership[i % lm.leadership.len()];
        let ppl = vec![
            member(d, 2, "组长"),
            member(d, 3, "副组长"),
            member(lm.organs_committee_branch(p), i as u32, "成员"),
        ];
        add_organ(
            p,
            Some(leading),
            lm.root,
            OrganKind::GuidanceGroup,
            name,
            "督促指导、巡回检查、立行立改",
            ppl,
            slice,
        );
    }
    let team = add_organ(
        p,
        None,
        lm.root,
        OrganKind::LectureTeam,
        "云溪区委党史学习教育宣讲团",
        "分片包干，确保宣讲全覆盖；推行“屋场讲堂”",
        vec![
            member(lm.propaganda, 0, "团长"),
            PlanPerson::Outsider {
                name: "周汉文",
                post: "顾问",
                affiliation: "区委党史研究室退休干部（党史专家）",
            },
        ],
        vec![],
    );
    let subteams: [(&str, Vec<usize>, Vec<PlanPerson>); 5] = [
        (
            "第一宣讲小组",
            lm.towns[..3].to_vec(),
            vec![PlanPerson::Outsider {
                name: "余振华",
                post: "宣讲员",
                affiliation: "抗美援朝荣誉老兵（参战老兵）",
            }],
        ),
        (
            "第二宣讲小组",
            lm.towns[3..].to_vec(),
            vec![PlanPerson::Outsider {
                name: "刘桂英",
                post: "宣讲员",
                affiliation: "退休教师（热心五老）",
            }],
        ),
        (
            "第三宣讲小组",
            vec![lm.park],
            vec![PlanPerson::Outsider {
                name: "彭思远",
                post: "宣讲员",
                affiliation: "湖南理工学院学生（大学生志愿者）",
            }],
        ),
        (
            "第四宣讲小组",
            vec![lm.organs_committee, lm.police],
            vec![member(lm.history_office, 0, "宣讲员")],
        ),
        (
            "第五宣讲小组",
            vec![lm.education, lm.health, lm.stationed[0], lm.stationed[1]],
            vec![
                member(lm.school_units[0], 0, "宣讲员"),
                PlanPerson::Outsider {
                    name: "黎秋菊",
                    post: "宣讲员",
                    affiliation: "社区“百姓名嘴”",
                },
            ],
        ),
    ];
    for (name, slice, mut ppl) in subteams {
        let d = *lm.leadership.choose(rng).unwrap_or(&lm.root);
        ppl.insert(0, member(d, 5, "组长"));
        add_organ(
            p,
            Some(team),
            lm.root,
            OrganKind::LectureSubteam,
            name,
            "分片宣讲",
            ppl,
            slice,
        );
    }
}

impl Landmarks {
    /// The first branch under the organs' working committee.
    fn organs_committee_branch(&self, p: &Plan) -> usize {
        p.units
            .iter()
            .position(|u| u.parent == Some(self.organs_committee) && u.kind == Branch)
            .unwrap_or(self.organs_committee)
    }
}

#[allow(clippy::too_many_arguments)]
fn add_organ(
    p: &mut Plan,
    parent: Option<usize>,
    unit: usize,
    kind: OrganKind,
    name: &str,
    duties: &'static str,
    people: Vec<PlanPerson>,
    slice: Vec<usize>,
) -> usize {
    p.organs.push(PlanOrgan {
        parent,
        unit,
        kind,
        name: name.to_owned(),
        duties,
        people,
        slice,
    });
    p.organs.len() - 1
}

pub(super) fn accounts(p: &mut Plan, lm: &Landmarks) {
    let songyanghu = lm.towns[2];
    p.accounts = vec![
        PlanAccount {
            username: "admin",
            display_name: "系统管理员",
            role: Role::SystemAdmin,
            scope: lm.root,
            member: None,
            can_unmask: true,
        },
        PlanAccount {
            username: "office",
            display_name: "区委党史学习教育办公室",
            role: Role::CampaignOffice,
            scope: lm.root,
            member: Some((lm.propaganda, 2)),
            can_unmask: true,
        },
        PlanAccount {
            username: "songyanghu",
            display_name: "松杨湖街道党工委",
            role: Role::UnitAdmin,
            scope: songyanghu,
            member: None,
            can_unmask: false,
        },
        PlanAccount {
            username: "maolingtou",
            display_name: "茅岭头社区党支部",
            role: Role::UnitAdmin,
            scope: lm.maolingtou_branch,
            member: Some((lm.maolingtou_branch, 0)),
            can_unmask: false,
        },
        PlanAccount {
            username: "inspector",
            display_name: "第三巡回指导组",
            role: Role::Inspector,
            scope: lm.park,
            member: None,
            can_unmask: false,
        },
        PlanAccount {
            username: "member",
            display_name: "茅岭头社区党员",
            role: Role::Member,
            scope: lm.maolingtou_branch,
            member: Some((lm.maolingtou_branch, 3)),
            can_unmask: false,
        },
    ];
}
