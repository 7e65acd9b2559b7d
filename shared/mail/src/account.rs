//! Notices about a user's own account.

use crate::templates::{Locale, Message, Rendered, SIGN_OFF_EN, SIGN_OFF_ZH};

/// A notice to the owner of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountNotice {
    /// Many wrong passwords were tried on the account in a short time, from any address.
    LoginFailures {
        email: String,
        failures: i32,
        within_minutes: i64,
    },
    /// A link to set a new password, asked for on the account (it works once, for a while).
    PasswordReset { link: String, minutes: i64 },
    /// The account's password was changed or reset; every other session was ended.
    PasswordChanged { email: String },
    /// A registration's admin confirms the address by this link before the account works.
    ConfirmAddress {
        organisation: String,
        link: String,
        hours: i64,
    },
    /// Someone registered with an address that already has an account: nothing was made.
    AlreadyRegistered {
        email: String,
        login_link: String,
        reset_link: String,
    },
    /// The USCC registered is already held by an organisation on the platform: the claim went
    /// to the province's reviewers as a dispute.
    RegistrationDisputed { organisation: String, uscc: String },
    /// The reviewers decided a dispute over a USCC; upheld, a confirmation link follows.
    DisputeDecided {
        uscc: String,
        upheld: bool,
        note: String,
    },
}

impl Message for AccountNotice {
    fn template(&self) -> &'static str {
        match self {
            Self::LoginFailures { .. } => "account.login_failures",
            Self::PasswordReset { .. } => "account.password_reset",
            Self::PasswordChanged { .. } => "account.password_changed",
            Self::ConfirmAddress { .. } => "account.confirm_address",
            Self::AlreadyRegistered { .. } => "account.already_registered",
            Self::RegistrationDisputed { .. } => "account.registration_disputed",
            Self::DisputeDecided { .. } => "account.dispute_decided",
        }
    }

    fn render(&self, locale: Locale) -> Rendered {
        match (self, locale) {
            (
                Self::ConfirmAddress {
                    organisation,
                    link,
                    hours,
                },
                Locale::ZhCn,
            ) => Rendered {
                subject: "【人脸识别技术应用备案】请确认注册邮箱".into(),
                text: format!(
                    "您好：\n\n您为“{organisation}”注册了人脸识别技术应用备案平台的账户。请在{hours}小时内打开以下链接确认邮箱\
                     （链接只能使用一次），确认后账户方可登录：\n\n{link}\n\n如非本人操作，请忽略本邮件，账户不会生效。\n{SIGN_OFF_ZH}"
                ),
            },
            (
                Self::ConfirmAddress {
                    organisation,
                    link,
                    hours,
                },
                Locale::En,
            ) => Rendered {
                subject: "[FRT] Confirm your address".into(),
                text: format!(
                    "Hello,\n\nYou registered \"{organisation}\" on the FRT filing platform. Open this \
                     link within {hours} hours to confirm your address (it works once); the account \
                     can log in after that:\n\n{link}\n\nIf it was not you, ignore this mail; the \
                     account stays unused.\n{SIGN_OFF_EN}"
                ),
            },
            (
                Self::AlreadyRegistered {
                    email,
                    login_link,
                    reset_link,
                },
                Locale::ZhCn,
            ) => Rendered {
                subject: "【人脸识别技术应用备案】该邮箱已有账户".into(),
                text: format!(
                    "您好：\n\n有人使用 {email} 在平台注册，但该邮箱已有账户，本次注册未创建任何内容。\
                     如是您本人，请直接登录：{login_link}\n忘记密码可在此重设：{reset_link}\n\n\
                     如非本人操作，请忽略本邮件。\n{SIGN_OFF_ZH}"
                ),
            },
            (
                Self::AlreadyRegistered {
                    email,
                    login_link,
                    reset_link,
                },
                Locale::En,
            ) => Rendered {
                subject: "[FRT] This address already has an account".into(),
                text: format!(
                    "Hello,\n\nSomeone registered with {email}, which already has an account; \
                     nothing was made. If it was you, log in: {login_link}\nForgot the password? \
                     Reset it here: {reset_link}\n\nIf it was not you, ignore this mail.\n{SIGN_OFF_EN}"
                ),
            },
            (Self::RegistrationDisputed { organisation, uscc }, Locale::ZhCn) => Rendered {
                subject: "【人脸识别技术应用备案】注册已转交审核".into(),
                text: format!(
                    "您好：\n\n您为“{organisation}”提交的注册所用统一社会信用代码 {uscc} 已由平台上的另一组织注册。\
                     本次注册未创建账户，已作为争议转交所在省级网信部门的审核人员处理，\
                     审核人员将通过您留下的联系方式与您联系，结果将以邮件告知。\n{SIGN_OFF_ZH}"
                ),
            },
            (Self::RegistrationDisputed { organisation, uscc }, Locale::En) => Rendered {
                subject: "[FRT] Your registration went to the reviewers".into(),
                text: format!(
                    "Hello,\n\nThe USCC {uscc} of your registration of \"{organisation}\" is already \
                     registered by another organisation on the platform. No account was made: the \
                     claim went to the reviewers of the provincial office as a dispute. They will \
                     contact you at the details you gave, and the decision will be mailed to you.\n{SIGN_OFF_EN}"
                ),
            },
            (Self::DisputeDecided { uscc, upheld, note }, Locale::ZhCn) => Rendered {
                subject: "【人脸识别技术应用备案】注册争议处理结果".into(),
                text: format!(
                    "您好：\n\n关于统一社会信用代码 {uscc} 的注册争议，审核人员{}。\n说明：{note}\n{SIGN_OFF_ZH}",
                    if *upheld {
                        "认定您的申请成立，管理员账户已转给您；请按随后的邮件确认邮箱后登录"
                    } else {
                        "未支持您的申请，该代码仍由原组织持有"
                    }
                ),
            },
            (Self::DisputeDecided { uscc, upheld, note }, Locale::En) => Rendered {
                subject: "[FRT] The dispute over your registration was decided".into(),
                text: format!(
                    "Hello,\n\nThe reviewers decided the dispute over the USCC {uscc}: {}.\nNote: {note}\n{SIGN_OFF_EN}",
                    if *upheld {
                        "your claim is upheld and the admin account is yours; confirm your address \
                         with the mail that follows, then log in"
                    } else {
                        "your claim is dismissed and the code stays with the organisation holding it"
                    }
                ),
            },
            (Self::PasswordReset { link, minutes }, Locale::ZhCn) => Rendered {
                subject: "【人脸识别技术应用备案】重设密码".into(),
                text: format!(
                    "您好：\n\n有人为您的账户申请了重设密码。如是您本人，请在{minutes}分钟内打开以下链接设置新密码\
                     （链接只能使用一次）：\n\n{link}\n\n如非本人操作，请忽略本邮件，您的密码不会改变。\n{SIGN_OFF_ZH}"
                ),
            },
            (Self::PasswordReset { link, minutes }, Locale::En) => Rendered {
                subject: "[FRT] Reset your password".into(),
                text: format!(
                    "Hello,\n\nSomeone asked to reset the password of your account. If it was you, \
                     open this link within {minutes} minutes to set a new one (it works once):\n\n\
                     {link}\n\nIf it was not you, ignore this mail; your password stays as it is.\n{SIGN_OFF_EN}"
                ),
            },
            (Self::PasswordChanged { email }, Locale::ZhCn) => Rendered {
                subject: "【人脸识别技术应用备案】密码已更改".into(),
                text: format!(
                    "您好：\n\n账户 {email} 的密码已更改，其他设备上的登录已全部退出。如非本人操作，请立即联系管理员。\n{SIGN_OFF_ZH}"
                ),
            },
            (Self::PasswordChanged { email }, Locale::En) => Rendered {
                subject: "[FRT] Your password was changed".into(),
                text: format!(
                    "Hello,\n\nThe password of the account {email} was changed and every other \
                     session was ended. If this was not you, tell your administrator at once.\n{SIGN_OFF_EN}"
                ),
            },
            (
                Self::LoginFailures {
                    email,
                    failures,
                    within_minutes,
                },
                Locale::ZhCn,
            ) => Rendered {
                subject: "【人脸识别技术应用备案】账户登录异常提醒".into(),
                text: format!(
                    "您好：\n\n您的账户 {email} 在{within_minutes}分钟内有{failures}次密码错误的登录尝试。\
                     如非本人操作，请联系管理员并及时修改密码。来源地址的尝试已被暂时限制。\n{SIGN_OFF_ZH}"
                ),
            },
            (
                Self::LoginFailures {
                    email,
                    failures,
                    within_minutes,
                },
                Locale::En,
            ) => Rendered {
                subject: "[FRT] Unusual login attempts on your account".into(),
                text: format!(
                    "Hello,\n\nThere were {failures} login attempts with a wrong password on your \
                     account {email} within {within_minutes} minutes. If this was not you, tell \
                     your administrator and change your password. Further attempts from those \
                     addresses are held back for a while.\n{SIGN_OFF_EN}"
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alert_names_the_account_in_both_languages() {
        let n = AccountNotice::LoginFailures {
            email: "a@b.cn".into(),
            failures: 20,
            within_minutes: 15,
        };
        for l in Locale::ALL {
            let r = n.render(l);
            assert!(r.text.contains("a@b.cn") && r.text.contains("20"), "{r:?}");
        }
        assert_eq!(n.template(), "account.login_failures");
    }

    #[test]
    fn the_reset_mail_carries_its_link_and_how_long_it_works() {
        let n = AccountNotice::PasswordReset {
            link: "https://portal.example/password-reset/frt_abc".into(),
            minutes: 30,
        };
        for l in Locale::ALL {
            let r = n.render(l);
            assert!(
                r.text.contains("/password-reset/frt_abc") && r.text.contains("30"),
                "{r:?}"
            );
        }
    }
}
