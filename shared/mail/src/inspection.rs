//! Notices about an inspection (监督检查), to the processor inspected and to its inspectors.

use crate::templates::{Locale, Message, Rendered, SIGN_OFF_EN, SIGN_OFF_ZH};
use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

/// The inspection a notice is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionRef {
    pub id: Uuid,
    pub processor: String,
    pub uscc: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InspectionNotice {
    /// 检查通知: the processor is told it will be inspected.
    Notified {
        inspection: InspectionRef,
        notice: String,
    },
    /// 调取材料: documents are requested by a date.
    DocumentsRequested {
        inspection: InspectionRef,
        description: String,
        due: NaiveDate,
    },
    /// 责令改正: rectification ordered by a date.
    RectificationOrdered {
        inspection: InspectionRef,
        requirements: String,
        due: NaiveDate,
    },
    /// A time limit of the inspection is near.
    Due {
        inspection: InspectionRef,
        what: String,
        due: NaiveDate,
        working_days_left: i64,
    },
    /// A time limit passed unmet (to the processor, and escalated to the inspectors).
    Overdue {
        inspection: InspectionRef,
        what: String,
        due: NaiveDate,
    },
    /// 结案: the inspection is closed, with its result.
    Closed {
        inspection: InspectionRef,
        result: String,
    },
}

impl InspectionNotice {
    fn inspection(&self) -> &InspectionRef {
        match self {
            Self::Notified { inspection, .. }
            | Self::DocumentsRequested { inspection, .. }
            | Self::RectificationOrdered { inspection, .. }
            | Self::Due { inspection, .. }
            | Self::Overdue { inspection, .. }
            | Self::Closed { inspection, .. } => inspection,
        }
    }
}

fn zh_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

impl Message for InspectionNotice {
    fn template(&self) -> &'static str {
        match self {
            Self::Notified { .. } => "inspection.notified",
            Self::DocumentsRequested { .. } => "inspection.documents_requested",
            Self::RectificationOrdered { .. } => "inspection.rectification_ordered",
            Self::Due { .. } => "inspection.due",
            Self::Overdue { .. } => "inspection.overdue",
            Self::Closed { .. } => "inspection.closed",
        }
    }

    fn render(&self, locale: Locale) -> Rendered {
        let i = self.inspection();
        let (subject, body) = match (self, locale) {
            (Self::Notified { notice, .. }, Locale::ZhCn) => (
                "【人脸识别技术应用监督检查】检查通知".to_owned(),
                format!("{}：\n\n网信部门将依据《人脸识别技术应用安全管理办法》第十六条对你单位开展监督检查，请予配合。\n\n{notice}\n", i.processor),
            ),
            (Self::Notified { notice, .. }, Locale::En) => (
                "[FRT inspection] Notice of inspection".to_owned(),
                format!("Dear {},\n\nThe Cyberspace Administration office will inspect your organisation under Art. 16 of the Measures. Please cooperate.\n\n{notice}\n", i.processor),
            ),
            (Self::DocumentsRequested { description, due, .. }, Locale::ZhCn) => (
                format!("【人脸识别技术应用监督检查】请于{}前提交材料", zh_date(*due)),
                format!("{}：\n\n请于{}前在系统中提交以下材料：\n{description}\n", i.processor, zh_date(*due)),
            ),
            (Self::DocumentsRequested { description, due, .. }, Locale::En) => (
                format!("[FRT inspection] Documents requested by {due}"),
                format!("Dear {},\n\nPlease provide the following in the portal by {due}:\n{description}\n", i.processor),
            ),
            (Self::RectificationOrdered { requirements, due, .. }, Locale::ZhCn) => (
                format!("【人脸识别技术应用监督检查】责令改正：请于{}前完成整改", zh_date(*due)),
                format!("{}：\n\n经检查，责令你单位于{}前完成以下整改，并在系统中报告整改情况：\n{requirements}\n", i.processor, zh_date(*due)),
            ),
            (Self::RectificationOrdered { requirements, due, .. }, Locale::En) => (
                format!("[FRT inspection] Rectification ordered: rectify by {due}"),
                format!("Dear {},\n\nThe inspection orders your organisation to rectify the following by {due} and to report the rectification in the portal:\n{requirements}\n", i.processor),
            ),
            (Self::Due { what, due, working_days_left, .. }, Locale::ZhCn) => (
                format!("【人脸识别技术应用监督检查】期限提醒：还剩{working_days_left}个工作日"),
                format!("{}：\n\n{what}的期限为{}，还剩{working_days_left}个工作日。\n", i.processor, zh_date(*due)),
            ),
            (Self::Due { what, due, working_days_left, .. }, Locale::En) => (
                format!("[FRT inspection] Reminder: {working_days_left} working day(s) left"),
                format!("Dear {},\n\nThe time limit for {what} ends on {due}: {working_days_left} working day(s) left.\n", i.processor),
            ),
            (Self::Overdue { what, due, .. }, Locale::ZhCn) => (
                "【人脸识别技术应用监督检查】期限已过".to_owned(),
                format!("{}：\n\n{what}的期限已于{}届满，尚未完成。\n", i.processor, zh_date(*due)),
            ),
            (Self::Overdue { what, due, .. }, Locale::En) => (
                "[FRT inspection] A time limit has passed".to_owned(),
                format!("Dear {},\n\nThe time limit for {what} ended on {due} and it has not been met.\n", i.processor),
            ),
            (Self::Closed { result, .. }, Locale::ZhCn) => (
                "【人脸识别技术应用监督检查】检查结案".to_owned(),
                format!("{}：\n\n对你单位的监督检查已结案。结论：{result}\n", i.processor),
            ),
            (Self::Closed { result, .. }, Locale::En) => (
                "[FRT inspection] Inspection closed".to_owned(),
                format!("Dear {},\n\nThe inspection of your organisation is closed. Result: {result}\n", i.processor),
            ),
        };
        let reference = match locale {
            Locale::ZhCn => format!(
                "\n统一社会信用代码：{}\n检查编号：{}\n{SIGN_OFF_ZH}",
                i.uscc, i.id
            ),
            Locale::En => format!("\nUSCC: {}\nInspection: {}\n{SIGN_OFF_EN}", i.uscc, i.id),
        };
        Rendered {
            subject,
            text: body + &reference,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_renders_in_both_languages() {
        let i = InspectionRef {
            id: Uuid::nil(),
            processor: "示例科技有限公司".into(),
            uscc: "91310115MA1H7A5U3X".into(),
        };
        let due = NaiveDate::from_ymd_opt(2026, 12, 14).expect("date");
        let all = [
            InspectionNotice::Notified {
                inspection: i.clone(),
                notice: "12月8日上午现场检查".into(),
            },
            InspectionNotice::DocumentsRequested {
                inspection: i.clone(),
                description: "门禁日志".into(),
                due,
            },
            InspectionNotice::RectificationOrdered {
                inspection: i.clone(),
                requirements: "删除超期数据".into(),
                due,
            },
            InspectionNotice::Due {
                inspection: i.clone(),
                what: "整改".into(),
                due,
                working_days_left: 1,
            },
            InspectionNotice::Overdue {
                inspection: i.clone(),
                what: "整改".into(),
                due,
            },
            InspectionNotice::Closed {
                inspection: i,
                result: "已整改".into(),
            },
        ];
        for n in all {
            for l in Locale::ALL {
                let r = n.render(l);
                assert!(r.text.contains("91310115MA1H7A5U3X"), "{r:?}");
                assert!(!r.subject.contains('\n'));
            }
        }
    }
}
