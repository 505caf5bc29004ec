//! UI languages and bilingual text. zh-CN is the default everywhere: it is the language of the policy,
//! of the staff, and of most residents; English is a full second language, not a fallback.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// The short name of a weekday, 1 = Monday … 7 = Sunday (ISO 8601, as `OpeningHours::weekday`);
    /// out of range is clamped.
    pub fn weekday(self, iso: u8) -> &'static str {
        const ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
        const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let i = usize::from(iso.clamp(1, 7) - 1);
        match self {
            Lang::Zh => ZH[i],
            Lang::En => EN[i],
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Accepts the forms people and browsers actually send (`zh`, `zh-CN`, `zh-Hans`, `en-US` ...).
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s == "zh" || s.starts_with("zh-") || s.starts_with("zh_") {
            Some(Lang::Zh)
        } else if s == "en" || s.starts_with("en-") || s.starts_with("en_") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// Picks the first supported language of an `Accept-Language` header, in the order the client gave
    /// (q-values are rarely anything but descending in practice, so order is honoured and q=0 skipped).
    pub fn from_accept_language(header: &str) -> Lang {
        header
            .split(',')
            .filter_map(|part| {
                let mut it = part.split(';');
                let tag = it.next()?;
                let refused = it.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
                if refused {
                    None
                } else {
                    Lang::parse(tag)
                }
            })
            .next()
            .unwrap_or_default()
    }
}

/// A text in both languages. `en` may be empty while a translation is pending; [`Text::get`] then falls
/// back to Chinese rather than showing nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Text {
    pub zh: String,
    #[serde(default)]
    pub en: String,
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Text { zh: zh.into(), en: en.into() }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En if !self.en.trim().is_empty() => &self.en,
            _ => &self.zh,
        }
    }

    /// True when English was asked for but only Chinese exists; the UI marks such text with `lang="zh-CN"`
    /// so screen readers pronounce it correctly.
    pub fn is_fallback(&self, lang: Lang) -> bool {
        lang == Lang::En && self.en.trim().is_empty()
    }

    pub fn is_empty(&self) -> bool {
        self.zh.trim().is_empty() && self.en.trim().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_first_supported() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"), Lang::En);
        assert_eq!(Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"), Lang::Zh);
        assert_eq!(Lang::from_accept_language("fr-FR, en;q=0.5"), Lang::En);
        assert_eq!(Lang::from_accept_language("fr-FR"), Lang::Zh);
        assert_eq!(Lang::from_accept_language("en;q=0, zh"), Lang::Zh);
        assert_eq!(Lang::from_accept_language(""), Lang::Zh);
    }

    #[test]
    fn text_falls_back_to_chinese_when_english_missing() {
        let t = Text::new("营业执照", "");
        assert_eq!(t.get(Lang::En), "营业执照");
        assert!(t.is_fallback(Lang::En));
        let t = Text::new("营业执照", "Business licence");
        assert_eq!(t.get(Lang::En), "Business licence");
        assert_eq!(t.get(Lang::Zh), "营业执照");
        assert!(!t.is_fallback(Lang::En));
    }

    #[test]
    fn lang_serialises_as_bcp47() {
        assert_eq!(serde_json::to_string(&Lang::Zh).unwrap(), "\"zh-CN\"");
        assert_eq!(serde_json::from_str::<Lang>("\"en\"").unwrap(), Lang::En);
    }
}
