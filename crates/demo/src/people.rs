//! Made-up people for demo data: Chinese names drawn by surname frequency,
//! plausible birth and join dates, mobile numbers and ID numbers with valid
//! check characters, all from a seeded generator so a seed gives the same
//! district every time.

use std::collections::HashMap;

use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use time::{Date, Month};
use xueshi_domain::member::{CadreLevel, Gender, MemberDraft, MemberStatus};
use xueshi_domain::pii::{IdNumber, Phone, check_char};

/// Surnames with rough weights for Hunan.
const SURNAMES: &[(&str, u32)] = &[
    ("李", 80),
    ("刘", 75),
    ("王", 60),
    ("张", 55),
    ("陈", 55),
    ("彭", 40),
    ("周", 40),
    ("黄", 38),
    ("杨", 36),
    ("罗", 34),
    ("谭", 30),
    ("邓", 30),
    ("曾", 28),
    ("吴", 26),
    ("易", 24),
    ("胡", 24),
    ("唐", 22),
    ("蒋", 20),
    ("何", 20),
    ("赵", 18),
    ("肖", 18),
    ("钟", 16),
    ("许", 14),
    ("徐", 14),
    ("孙", 12),
    ("朱", 12),
    ("马", 10),
    ("高", 10),
    ("林", 10),
    ("郭", 10),
    ("湛", 8),
    ("付", 8),
    ("方", 8),
    ("余", 8),
    ("雷", 8),
    ("姚", 8),
    ("邹", 8),
    ("廖", 8),
    ("熊", 8),
    ("龙", 6),
    ("贺", 6),
    ("戴", 6),
    ("聂", 6),
    ("卢", 6),
    ("文", 6),
    ("夏", 6),
    ("汤", 5),
    ("毛", 5),
    ("向", 5),
    ("丁", 5),
    ("袁", 5),
    ("苏", 5),
    ("欧阳", 3),
    ("司马", 1),
];

const MALE: &[&str] = &[
    "伟", "强", "军", "勇", "杰", "涛", "明", "超", "斌", "建", "国", "华", "平", "辉", "鹏", "飞",
    "波", "林", "峰", "志", "刚", "文", "俊", "磊", "洪", "海", "亮", "宏", "新", "春", "德", "忠",
    "荣", "成", "安", "清", "正", "立", "兵", "胜", "光", "庆", "永", "卫", "东", "红", "良", "武",
    "祥", "福", "学", "民", "泉", "长", "松", "湘", "岳",
];

const FEMALE: &[&str] = &[
    "芳", "丽", "娟", "敏", "静", "霞", "红", "燕", "艳", "玲", "萍", "慧", "婷", "琴", "兰", "英",
    "梅", "雪", "秀", "娜", "洁", "莉", "青", "春", "桂", "凤", "琳", "佳", "颖", "莹", "欣", "倩",
    "艺", "蓉", "湘", "岚", "丹", "露",
];

/// Who a generated person is likely to be, by where they are registered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    /// Village: older, mostly ordinary members, many farmers.
    Village,
    /// Urban community: retired members, residents.
    Community,
    /// Party and government organs: cadres of every tier.
    Organ,
    /// Schools and hospitals.
    Public,
    /// Enterprises: workers and managers.
    Enterprise,
}

pub struct People {
    rng: ChaCha8Rng,
    /// 6-digit administrative code the ID numbers start with.
    region: String,
    surname_total: u32,
    /// Order numbers already given out per birth date (men, women), so that
    /// no two people share an ID number.
    orders: HashMap<Date, (u16, u16)>,
}

impl People {
    pub fn new(rng: ChaCha8Rng, region: &str) -> People {
        People {
            rng,
            region: region.to_owned(),
            surname_total: SURNAMES.iter().map(|(_, w)| w).sum(),
            orders: HashMap::new(),
        }
    }

    pub fn rng(&mut self) -> &mut ChaCha8Rng {
        &mut self.rng
    }

    /// ID numbers from here on start with this administrative code.
    pub fn set_region(&mut self, region: &str) {
        self.region.clear();
        self.region.push_str(region);
    }

    pub fn name(&mut self, gender: Gender) -> String {
        let mut pick = self.rng.random_range(0..self.surname_total);
        let mut surname = SURNAMES[0].0;
        for (s, w) in SURNAMES {
            if pick < *w {
                surname = s;
                break;
            }
            pick -= w;
        }
        let pool = if gender == Gender::Male { MALE } else { FEMALE };
        let first = pool.choose(&mut self.rng).copied().unwrap_or("明");
        if self.rng.random_bool(0.35) {
            format!("{surname}{first}")
        } else {
            let second = pool.choose(&mut self.rng).copied().unwrap_or("华");
            format!("{surname}{first}{second}")
        }
    }

    fn date(&mut self, from_year: i32, to_year: i32) -> Date {
        let y = self.rng.random_range(from_year..=to_year);
        let m = Month::try_from(self.rng.random_range(1..=12u8)).unwrap_or(Month::January);
        let d = self.rng.random_range(1..=28u8);
        Date::from_calendar_date(y, m, d).unwrap_or(Date::MIN)
    }

    fn phone(&mut self) -> Phone {
        let second = *[3u8, 5, 7, 8, 9].choose(&mut self.rng).unwrap_or(&3);
        let rest: u32 = self.rng.random_range(0..1_000_000_000);
        let raw = format!("1{second}{rest:09}");
        Phone::parse("phone", &raw)
            .unwrap_or_else(|_| Phone::parse("phone", "13800000000").expect("valid"))
    }

    /// An ID number for someone born on `birth` (moved to the next day when
    /// that date's 500 order numbers for the gender are used up).
    fn id_number(&mut self, birth: &mut Date, gender: Gender) -> IdNumber {
        loop {
            let slot = self.orders.entry(*birth).or_default();
            let used = if gender == Gender::Male {
                &mut slot.0
            } else {
                &mut slot.1
            };
            if *used < 500 {
                let order = u32::from(*used) * 2 + u32::from(gender == Gender::Male);
                *used += 1;
                let first17 = format!(
                    "{}{:04}{:02}{:02}{:03}",
                    self.region,
                    birth.year(),
                    u8::from(birth.month()),
                    birth.day(),
                    order
                );
                let raw = format!("{first17}{}", check_char(first17.as_bytes()) as char);
                return IdNumber::parse("id_number", &raw).expect("generated ID numbers are valid");
            }
            *birth = birth.next_day().unwrap_or(*birth);
        }
    }

    /// A member as a roster would list them.
    pub fn member(&mut self, setting: Setting, position: &str, cadre: CadreLevel) -> MemberDraft {
        let male_share = match setting {
            Setting::Village | Setting::Enterprise => 0.74,
            Setting::Community => 0.62,
            Setting::Organ => 0.66,
            Setting::Public => 0.48,
        };
        let gender = if self.rng.random_bool(male_share) {
            Gender::Male
        } else {
            Gender::Female
        };
        let (from, to) = match setting {
            Setting::Village => (1940, 1996),
            Setting::Community => (1938, 1998),
            Setting::Organ | Setting::Public => (1963, 1998),
            Setting::Enterprise => (1965, 2000),
        };
        let mut birth = match cadre {
            CadreLevel::Leader => self.date(1965, 1984),
            CadreLevel::Section => self.date(1968, 1992),
            CadreLevel::Ordinary => self.date(from, to),
        };
        let id_number = self.id_number(&mut birth, gender);
        let earliest_join = (birth.year() + 18).max(1958);
        let join = self.date(earliest_join.min(2020), 2020);
        let probationary = join.year() == 2020 && self.rng.random_bool(0.6);
        MemberDraft {
            name: self.name(gender),
            gender,
            birth_date: Some(birth),
            join_date: Some(join),
            status: if probationary {
                MemberStatus::Probationary
            } else {
                MemberStatus::Formal
            },
            cadre_level: cadre,
            position: position.to_owned(),
            phone: Some(self.phone()),
            id_number: Some(id_number),
        }
    }
}

/// A role-appropriate position for an ordinary member of a branch.
pub fn position_for(setting: Setting, rng: &mut ChaCha8Rng) -> &'static str {
    let pool: &[&str] = match setting {
        Setting::Village => &[
            "村民",
            "村民",
            "村民",
            "种植户",
            "养殖户",
            "村民小组长",
            "网格员",
            "退役军人",
        ],
        Setting::Community => &[
            "居民",
            "退休职工",
            "退休教师",
            "网格员",
            "志愿者",
            "个体工商户",
        ],
        Setting::Organ => &[
            "科员",
            "科员",
            "一级科员",
            "四级主任科员",
            "办事员",
            "工作人员",
        ],
        Setting::Public => &["教师", "教师", "班主任", "医生", "护士", "医生"],
        Setting::Enterprise => &[
            "操作工",
            "技术员",
            "工程师",
            "班组长",
            "质检员",
            "安全员",
            "职工",
        ],
    };
    pool.choose(rng).copied().unwrap_or("党员")
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn generated_people_are_valid_and_their_names_are_already_folded() {
        let mut p = People::new(ChaCha8Rng::seed_from_u64(1), "430603");
        let mut seen = std::collections::HashSet::new();
        for _ in 0..5000 {
            let m = p.member(Setting::Village, "村民", CadreLevel::Ordinary);
            assert!(
                seen.insert(m.id_number.clone().unwrap().as_str().to_owned()),
                "ID numbers are unique"
            );
            assert_eq!(xueshi_domain::text::fold(&m.name), m.name);
            let n = m.id_number.as_ref().unwrap();
            assert_eq!(Some(n.birth_date().unwrap()), m.birth_date);
            assert_eq!(n.is_male(), m.gender == Gender::Male);
            assert!(m.join_date.unwrap() > m.birth_date.unwrap());
        }
    }
}
