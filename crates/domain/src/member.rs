//! Party members (党员) as a roster records them.
//!
//! Owns the member's attributes that rules depend on (status 正式/预备,
//! cadre level, gender) and the validated input for creating or editing a
//! member. It must not read or write rows, nor seal personal data.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::date::parse_date;
use crate::invalid::{Checks, FieldError, optional_text, parse_choice, required_text};
use crate::pii::{IdNumber, Phone};
use crate::text::fold;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub const ALL: [Gender; 2] = [Gender::Male, Gender::Female];
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Gender::Male => "男",
            Gender::Female => "女",
        }
    }
    pub fn parse(raw: &str) -> Option<Gender> {
        match fold(raw).as_str() {
            "male" | "男" | "m" => Some(Gender::Male),
            "female" | "女" | "f" => Some(Gender::Female),
            _ => None,
        }
    }
}

/// 正式党员 or 预备党员.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    Formal,
    Probationary,
}

impl MemberStatus {
    pub const ALL: [MemberStatus; 2] = [MemberStatus::Formal, MemberStatus::Probationary];
    pub fn as_str(self) -> &'static str {
        match self {
            MemberStatus::Formal => "formal",
            MemberStatus::Probationary => "probationary",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            MemberStatus::Formal => "正式党员",
            MemberStatus::Probationary => "预备党员",
        }
    }
    pub fn parse(raw: &str) -> Option<MemberStatus> {
        match fold(raw).as_str() {
            "formal" | "正式" | "正式党员" => Some(MemberStatus::Formal),
            "probationary" | "预备" | "预备党员" => Some(MemberStatus::Probationary),
            _ => None,
        }
    }
}

/// The cadre tier that decides what a member must claim in 我为群众办实事:
/// 副处级以上领导干部, 科级干部, or an ordinary member.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CadreLevel {
    Leader,
    Section,
    Ordinary,
}

impl CadreLevel {
    pub const ALL: [CadreLevel; 3] = [
        CadreLevel::Leader,
        CadreLevel::Section,
        CadreLevel::Ordinary,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            CadreLevel::Leader => "leader",
            CadreLevel::Section => "section",
            CadreLevel::Ordinary => "ordinary",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            CadreLevel::Leader => "副处级以上",
            CadreLevel::Section => "科级",
            CadreLevel::Ordinary => "一般",
        }
    }
    pub fn parse(raw: &str) -> Option<CadreLevel> {
        match fold(raw).as_str() {
            "leader" | "副处级以上" | "副处级及以上" | "处级" | "副处级" | "厅级" => {
                Some(CadreLevel::Leader)
            }
            "section" | "科级" | "正科级" | "副科级" => Some(CadreLevel::Section),
            "ordinary" | "一般" | "普通" | "无" | "普通党员" => Some(CadreLevel::Ordinary),
            _ => None,
        }
    }
}

/// Validated input for creating or editing a member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberDraft {
    pub name: String,
    pub gender: Gender,
    pub birth_date: Option<Date>,
    pub join_date: Option<Date>,
    pub status: MemberStatus,
    pub cadre_level: CadreLevel,
    pub position: String,
    pub phone: Option<Phone>,
    pub id_number: Option<IdNumber>,
}

/// The fields of a member as typed into a form or a spreadsheet row.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct MemberInput {
    pub name: String,
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub join_date: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub cadre_level: String,
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub id_number: String,
}

impl MemberDraft {
    /// Checks every field and reports every problem. Gender and birth date may
    /// be left empty when an ID number gives them; when both are given they
    /// must agree with it. `today` bounds dates from above.
    pub fn parse(input: &MemberInput, today: Date) -> Result<MemberDraft, Vec<FieldError>> {
        let mut c = Checks::new();
        let name = c.take(parse_person_name(&input.name));
        let id_number = if input.id_number.trim().is_empty() {
            None
        } else {
            c.take(IdNumber::parse("id_number", &input.id_number))
        };
        let phone = if input.phone.trim().is_empty() {
            None
        } else {
            c.take(Phone::parse("phone", &input.phone))
        };
        let birth_date = match (input.birth_date.trim(), &id_number) {
            ("", Some(id)) => id.birth_date(),
            ("", None) => None,
            (raw, id) => c.take(parse_date("birth_date", raw)).inspect(|&d| {
                if id
                    .as_ref()
                    .and_then(IdNumber::birth_date)
                    .is_some_and(|from_id| from_id != d)
                {
                    c.push(FieldError::new("birth_date", "birth_date_mismatch"));
                }
            }),
        };
        let gender = match (input.gender.trim(), &id_number) {
            ("", Some(id)) => Some(if id.is_male() {
                Gender::Male
            } else {
                Gender::Female
            }),
            (raw, id) => c
                .take(parse_choice("gender", raw, Gender::parse))
                .inspect(|g| {
                    if id
                        .as_ref()
                        .is_some_and(|id| id.is_male() != (*g == Gender::Male))
                    {
                        c.push(FieldError::new("gender", "gender_mismatch"));
                    }
                }),
        };
        let join_date = if input.join_date.trim().is_empty() {
            None
        } else {
            c.take(parse_date("join_date", &input.join_date))
        };
        if let Some(b) = birth_date
            && b > today
        {
            c.push(FieldError::new("birth_date", "date_in_future"));
        }
        if let Some(j) = join_date {
            if j > today {
                c.push(FieldError::new("join_date", "date_in_future"));
            } else if birth_date.is_some_and(|b| j <= b) {
                c.push(FieldError::new("join_date", "join_before_birth"));
            }
        }
        let status = c.take(parse_choice("status", &input.status, MemberStatus::parse));
        let cadre_level = if input.cadre_level.trim().is_empty() {
            Some(CadreLevel::Ordinary)
        } else {
            c.take(parse_choice(
                "cadre_level",
                &input.cadre_level,
                CadreLevel::parse,
            ))
        };
        let position = c.take(optional_text("position", &input.position, 60));
        match (name, gender, status, cadre_level, position) {
            (Some(name), Some(gender), Some(status), Some(cadre_level), Some(position))
                if c.is_empty() =>
            {
                Ok(MemberDraft {
                    name,
                    gender,
                    birth_date,
                    join_date,
                    status,
                    cadre_level,
                    position,
                    phone,
                    id_number,
                })
            }
            _ => Err(c.into_errors()),
        }
    }
}

/// A person's name: 1–30 characters, Chinese or Latin letters, `·` and inner
/// spaces (for names such as 买买提·艾力); no digits.
pub fn parse_person_name(raw: &str) -> Result<String, FieldError> {
    let t = required_text("name", raw, 30)?;
    if t.chars()
        .all(|c| c.is_alphabetic() || matches!(c, '·' | '•' | '・' | ' ' | '.' | '-'))
    {
        Ok(t)
    } else {
        Err(FieldError::new("name", "bad_person_name"))
    }
}

stored_as_key!(Gender, "gender");
stored_as_key!(MemberStatus, "member status");
stored_as_key!(CadreLevel, "cadre level");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::check_char;

    fn today() -> Date {
        Date::from_calendar_date(2021, time::Month::June, 1).unwrap()
    }

    fn id(first17: &str) -> String {
        format!("{first17}{}", check_char(first17.as_bytes()) as char)
    }

    #[test]
    fn a_full_row_parses() {
        let input = MemberInput {
            name: "钟慧".into(),
            gender: "女".into(),
            birth_date: "1988/7/2".into(),
            join_date: "2012年7月1日".into(),
            status: "正式党员".into(),
            cadre_level: "科级".into(),
            position: "社区书记".into(),
            phone: "13812345678".into(),
            id_number: id("43060319880702122"),
        };
        let d = MemberDraft::parse(&input, today()).unwrap();
        assert_eq!(d.gender, Gender::Female);
        assert_eq!(d.cadre_level, CadreLevel::Section);
        assert_eq!(
            d.birth_date.map(crate::date::iso).as_deref(),
            Some("1988-07-02")
        );
    }

    #[test]
    fn gender_and_birth_date_come_from_the_id_number() {
        let input = MemberInput {
            name: "王伟".into(),
            status: "预备".into(),
            id_number: id("43060319900101003"),
            ..Default::default()
        };
        let d = MemberDraft::parse(&input, today()).unwrap();
        assert_eq!(d.gender, Gender::Male);
        assert_eq!(d.status, MemberStatus::Probationary);
        assert_eq!(d.cadre_level, CadreLevel::Ordinary);
    }

    #[test]
    fn every_problem_is_reported() {
        let input = MemberInput {
            name: "王伟2".into(),
            gender: "女".into(),
            birth_date: "1991-01-01".into(),
            join_date: "1990-01-01".into(),
            status: "群众".into(),
            phone: "12345".into(),
            id_number: id("43060319900101003"),
            ..Default::default()
        };
        let errs = MemberDraft::parse(&input, today()).unwrap_err();
        let got: Vec<_> = errs.iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(
            got,
            vec![
                ("name", "bad_person_name"),
                ("phone", "bad_phone"),
                ("birth_date", "birth_date_mismatch"),
                ("gender", "gender_mismatch"),
                ("join_date", "join_before_birth"),
                ("status", "bad_choice"),
            ]
        );
    }
}
