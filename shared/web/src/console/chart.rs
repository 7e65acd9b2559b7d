//! Grouped horizontal bar charts drawn on the server as inline SVG, for the statistics page
//! (monthly figures per province: filings by kind, complaints by outcome, median working days
//! to decide). Pure: no I/O, no dependencies; the SVG text is written by hand.
//!
//! A chart is one group of bars per category (a province), one bar per series (a kind of
//! filing), each bar with its number written beside it and on hover, a value axis with "nice"
//! ticks along the top (repeated at the bottom when the chart is tall), and a legend when there
//! is more than one series. Colours differ clearly in lightness and every bar has a thin dark
//! outline, so a chart survives greyscale printing and colour-blind readers; all text is dark
//! on a white ground and at least 12px, in a font list with Chinese fallbacks.
//!
//! The SVG has `role="img"` with its title and a short description, so assistive technology
//! announces it as one picture: the page should offer the same figures as a table as well.

use std::fmt::Write as _;

/// One series: a value per category, in the categories' order.
///
/// A missing value (fewer values than categories) is shown as "—", like NaN; values beyond the
/// categories are ignored.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    pub values: Vec<f64>,
}

/// A grouped horizontal bar chart: one group of bars per category (e.g. a province), one bar
/// per series.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// The chart's heading inside the SVG, and the SVG's `<title>`.
    pub title: String,
    /// The categories, one group of bars each, top to bottom.
    pub categories: Vec<String>,
    /// The series, one bar each within every group; more than six reuse the palette.
    pub series: Vec<Series>,
    /// The label of the value axis, e.g. "件" or "工作日"; also follows each value on hover.
    pub unit: String,
    /// The label of the category axis, e.g. "省份".
    pub category_label: String,
    /// What the chart shows, in the page's language, for assistive technology (`<desc>`);
    /// when empty, a summary of its categories and series.
    pub description: String,
}

/// The width of the chart's coordinate system; the SVG scales to its container.
const WIDTH: f64 = 720.0;
/// Space around the drawing.
const PAD: f64 = 12.0;
/// The widest a category label may be before it is cut short (its full text stays on hover).
const MAX_LABEL: f64 = 200.0;
/// Gap between a bar and the number after it, and between labels and the plot.
const GAP: f64 = 4.0;
/// Gap between two bars of one group.
const BAR_GAP: f64 = 2.0;
/// Space between two groups.
const GROUP_GAP: f64 = 12.0;
/// Font size of every text but the heading.
const FONT: f64 = 12.0;
/// Font size of the heading.
const HEADING: f64 = 16.0;
/// Height of one legend row.
const LEGEND_ROW: f64 = 20.0;
/// Above this plot height the tick labels are repeated below the plot.
const TALL: f64 = 360.0;

/// Fonts, Chinese ones first after Noto, then the browser's sans-serif.
const FONT_FAMILY: &str =
    "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif";
/// The series' colours, each clearly lighter or darker than its neighbours.
const PALETTE: [&str; 6] = [
    "#1f4e79", "#c55a11", "#7f7f7f", "#2e7d32", "#6a1b9a", "#b8860b",
];
/// Text: near black on white (contrast about 17:1).
const INK: &str = "#1a1a1a";
/// Tick labels: dark grey on white (contrast about 10:1).
const INK_SOFT: &str = "#404040";
/// Outline of bars and swatches.
const STROKE: &str = "#1a1a1a";
/// Axis lines.
const AXIS: &str = "#595959";
/// Grid lines and group separators.
const GRID: &str = "#d9d9d9";

impl BarChart {
    /// The chart as an `<svg>` element; `id` prefixes every id inside it (several charts share
    /// a page), so it should be a token fit for an id (letters, digits, `-`, `_`).
    ///
    /// With no categories or no series the answer is an empty string: the page says in its
    /// own words that there is nothing to show.
    pub fn svg(&self, id: &str) -> String {
        if self.categories.is_empty() || self.series.is_empty() {
            return String::new();
        }
        let id = escape(id);
        let n_cat = self.categories.len() as f64;
        let n_ser = self.series.len() as f64;

        // Every value as it is written, and the largest that draws a bar.
        let cells: Vec<Vec<(f64, String)>> = self
            .series
            .iter()
            .map(|s| {
                (0..self.categories.len())
                    .map(|c| {
                        let v = s.values.get(c).copied().unwrap_or(f64::NAN);
                        (v, value_text(v))
                    })
                    .collect()
            })
            .collect();
        let max = cells
            .iter()
            .flatten()
            .map(|(v, _)| *v)
            .filter(|v| v.is_finite() && *v > 0.0)
            .fold(0.0, f64::max);
        let ticks = Ticks::for_max(max);
        let top = ticks.top();

        // Columns: category labels, the plot, the numbers after the longest bars.
        let label_w = self
            .categories
            .iter()
            .chain(std::iter::once(&self.category_label))
            .map(|c| text_width(c, FONT))
            .fold(0.0, f64::max)
            .min(MAX_LABEL);
        let plot_left = PAD + label_w + 2.0 * GAP;
        let number_w = cells
            .iter()
            .flatten()
            .map(|(_, t)| text_width(t, FONT))
            .chain(ticks.labels().iter().map(|t| text_width(t, FONT) / 2.0))
            .fold(0.0, f64::max)
            .min(MAX_LABEL);
        let plot_right = WIDTH - PAD - number_w - GAP;
        let plot_w = plot_right - plot_left;
        let x_of = |v: f64| {
            let share = if v.is_finite() && v > 0.0 && top > 0.0 {
                (v / top).min(1.0)
            } else {
                0.0
            };
            plot_left + share * plot_w
        };

        // Rows: heading, legend, axis label, tick labels, the groups.
        let heading_y = PAD + HEADING;
        let legend = if self.series.len() > 1 {
            self.legend_rows()
        } else {
            Vec::new()
        };
        let legend_top = heading_y + 10.0;
        let axis_label_y = legend_top + LEGEND_ROW * legend.len() as f64 + 16.0;
        let tick_label_y = axis_label_y + 18.0;
        let plot_top = tick_label_y + 8.0;
        let bar_h = if self.series.len() == 1 { 18.0 } else { 14.0 };
        let group_h = n_ser * bar_h + (n_ser - 1.0) * BAR_GAP + GROUP_GAP;
        let plot_bottom = plot_top + n_cat * group_h;
        let tall = plot_bottom - plot_top > TALL;
        let height = if tall {
            plot_bottom + 18.0 + PAD
        } else {
            plot_bottom + PAD
        };

        let mut o = String::with_capacity(1024 + 400 * self.categories.len() * self.series.len());
        let _ = write!(
            o,
            r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {w} {h}" width="100%" preserveAspectRatio="xMinYMin meet" style="height:auto;max-width:960px" font-family="{FONT_FAMILY}" font-size="{FONT}">"#,
            w = num(WIDTH),
            h = num(height),
        );
        let _ = write!(
            o,
            r#"<title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
            escape(&self.title),
            escape(&self.description()),
        );
        let _ = write!(
            o,
            r##"<rect class="background" x="0" y="0" width="{}" height="{}" fill="#ffffff"/>"##,
            num(WIDTH),
            num(height),
        );
        let (heading, _) = fit(&self.title, WIDTH - 2.0 * PAD, HEADING);
        let _ = write!(
            o,
            r#"<text class="heading" x="{}" y="{}" font-size="{HEADING}" font-weight="bold" fill="{INK}">{}</text>"#,
            num(PAD),
            num(heading_y),
            escape(&heading),
        );

        // Legend: a swatch and the label of each series, in rows.
        if !legend.is_empty() {
            o.push_str(r#"<g class="legend">"#);
            for (row, items) in legend.iter().enumerate() {
                let y = legend_top + LEGEND_ROW * row as f64;
                for &(s, x) in items {
                    let _ = write!(
                        o,
                        r#"<rect class="swatch" x="{}" y="{}" width="12" height="12" fill="{}" stroke="{STROKE}" stroke-width="0.75"/><text x="{}" y="{}" fill="{INK}">{}</text>"#,
                        num(x),
                        num(y + 2.0),
                        colour(s),
                        num(x + 18.0),
                        num(y + 12.5),
                        escape(&self.series[s].label),
                    );
                }
            }
            o.push_str("</g>");
        }

        // Value axis: its label, grid lines, ticks and their labels; the category axis's label.
        o.push_str(r#"<g class="axis">"#);
        let _ = write!(
            o,
            r#"<text class="value-label" x="{}" y="{}" text-anchor="middle" font-weight="bold" fill="{INK}">{}</text>"#,
            num((plot_left + plot_right) / 2.0),
            num(axis_label_y),
            escape(&self.unit),
        );
        let (category_label, _) = fit(&self.category_label, MAX_LABEL, FONT);
        let _ = write!(
            o,
            r#"<text class="category-label" x="{}" y="{}" text-anchor="end" font-weight="bold" fill="{INK}">{}</text>"#,
            num(plot_left - 2.0 * GAP),
            num(tick_label_y),
            escape(&category_label),
        );
        for (v, label) in ticks.values().into_iter().zip(ticks.labels()) {
            let x = num(x_of(v));
            let _ = write!(
                o,
                r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{GRID}" stroke-width="1"/><text class="tick" x="{x}" y="{}" text-anchor="middle" fill="{INK_SOFT}">{label}</text>"#,
                num(plot_top - GAP),
                num(plot_bottom),
                num(tick_label_y),
            );
            if tall {
                let _ = write!(
                    o,
                    r#"<text class="tick" x="{x}" y="{}" text-anchor="middle" fill="{INK_SOFT}">{label}</text>"#,
                    num(plot_bottom + 16.0),
                );
            }
        }
        let _ = write!(
            o,
            r#"<line x1="{l}" y1="{t}" x2="{r}" y2="{t}" stroke="{AXIS}" stroke-width="1"/><line x1="{l}" y1="{t}" x2="{l}" y2="{b}" stroke="{AXIS}" stroke-width="1"/>"#,
            l = num(plot_left),
            r = num(plot_right),
            t = num(plot_top),
            b = num(plot_bottom),
        );
        o.push_str("</g>");

        // The groups: the category's label, then each series' bar and its number.
        o.push_str(r#"<g class="bars">"#);
        for (c, category) in self.categories.iter().enumerate() {
            let group_top = plot_top + group_h * c as f64 + GROUP_GAP / 2.0;
            o.push_str(r#"<g class="category">"#);
            if c > 0 {
                let y = num(group_top - GROUP_GAP / 2.0);
                let _ = write!(
                    o,
                    r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{GRID}" stroke-width="0.5"/>"#,
                    num(PAD),
                    num(plot_right),
                );
            }
            let (shown, cut) = fit(category, MAX_LABEL, FONT);
            let _ = write!(
                o,
                r#"<text class="category" x="{}" y="{}" dy="0.35em" text-anchor="end" fill="{INK}">"#,
                num(plot_left - 2.0 * GAP),
                num(group_top + (group_h - GROUP_GAP) / 2.0),
            );
            if cut {
                let _ = write!(o, "<title>{}</title>", escape(category));
            }
            let _ = write!(o, "{}</text>", escape(&shown));
            for (s, series) in self.series.iter().enumerate() {
                let (v, text) = &cells[s][c];
                let y = group_top + (bar_h + BAR_GAP) * s as f64;
                let end = x_of(*v);
                let hover = if v.is_nan() || self.unit.is_empty() {
                    format!("{category} · {}: {text}", series.label)
                } else {
                    format!("{category} · {}: {text} {}", series.label, self.unit)
                };
                let _ = write!(
                    o,
                    r#"<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{STROKE}" stroke-width="0.75"><title>{}</title></rect><text class="value" x="{}" y="{}" dy="0.35em" fill="{INK}">{}</text>"#,
                    num(plot_left),
                    num(y),
                    num(end - plot_left),
                    num(bar_h),
                    colour(s),
                    escape(&hover),
                    num(end + GAP),
                    num(y + bar_h / 2.0),
                    escape(text),
                );
            }
            o.push_str("</g>");
        }
        o.push_str("</g></svg>");
        o
    }

    /// What the chart shows, in one sentence, for the SVG's `<desc>`.
    fn description(&self) -> String {
        if !self.description.is_empty() {
            return self.description.clone();
        }
        let n = self.categories.len();
        let noun = if n == 1 { "category" } else { "categories" };
        let mut d = format!("{n} {noun}");
        if !self.category_label.is_empty() {
            let _ = write!(d, " ({})", self.category_label);
        }
        let labels: Vec<&str> = self.series.iter().map(|s| s.label.as_str()).collect();
        let _ = write!(d, ", series: {}", labels.join(", "));
        if !self.unit.is_empty() {
            let _ = write!(d, "; values in {}", self.unit);
        }
        d
    }

    /// The legend's items, as (series, x) in rows that fit the width.
    fn legend_rows(&self) -> Vec<Vec<(usize, f64)>> {
        let mut rows: Vec<Vec<(usize, f64)>> = vec![Vec::new()];
        let mut x = PAD;
        for (s, series) in self.series.iter().enumerate() {
            let w = 18.0 + text_width(&series.label, FONT).min(WIDTH / 2.0) + 16.0;
            if x > PAD && x + w > WIDTH - PAD {
                rows.push(Vec::new());
                x = PAD;
            }
            if let Some(row) = rows.last_mut() {
                row.push((s, x));
            }
            x += w;
        }
        rows
    }
}

/// The value axis: ticks 0, step, 2 × step … up to `count` × step, the first multiple of the
/// step at or above the largest value; the step is 1, 2 or 5 × 10^`exp`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ticks {
    mantissa: u32,
    exp: i32,
    count: u32,
}

impl Ticks {
    /// Four to six ticks from 0 to at least `max`: the smallest 1/2/5 step that needs at most
    /// five intervals (it always needs at least three). A largest value of 0 (or none) gives
    /// 0 to 4.
    fn for_max(max: f64) -> Self {
        if !(max.is_finite() && max > 0.0) {
            return Self {
                mantissa: 1,
                exp: 0,
                count: 4,
            };
        }
        // Start a decade below the value, where it spans at least ten steps.
        let mut exp = max.log10().floor() as i32 - 1;
        loop {
            for mantissa in [1, 2, 5] {
                let t = Self {
                    mantissa,
                    exp,
                    count: 0,
                };
                let intervals = max / t.step();
                if intervals <= 5.0 + 1e-9 {
                    return Self {
                        count: ((intervals - 1e-9).ceil() as u32).max(1),
                        ..t
                    };
                }
            }
            exp += 1;
        }
    }

    /// The tick at `i` steps, computed so decimal steps stay exact (0.3, not 0.30000000000000004).
    fn at(&self, i: u32) -> f64 {
        let n = f64::from(i) * f64::from(self.mantissa);
        if self.exp >= 0 {
            n * 10f64.powi(self.exp)
        } else {
            n / 10f64.powi(-self.exp)
        }
    }

    fn step(&self) -> f64 {
        self.at(1)
    }

    /// The last tick, the value at the plot's right edge.
    fn top(&self) -> f64 {
        self.at(self.count)
    }

    fn values(&self) -> Vec<f64> {
        (0..=self.count).map(|i| self.at(i)).collect()
    }

    /// The ticks' labels, with as many decimals as the step has.
    fn labels(&self) -> Vec<String> {
        let decimals = usize::try_from(-self.exp).unwrap_or(0);
        self.values()
            .into_iter()
            .map(|v| format!("{v:.decimals$}"))
            .collect()
    }
}

/// A value as written beside its bar: whole numbers without decimals, others with one
/// (rounded: 2.5, 3.0 → "3"), "—" for NaN.
fn value_text(v: f64) -> String {
    if v.is_nan() {
        return "—".to_owned();
    }
    if v.is_infinite() {
        return if v > 0.0 { "∞" } else { "-∞" }.to_owned();
    }
    let r = (v * 10.0).round() / 10.0;
    if r == 0.0 {
        "0".to_owned()
    } else if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// A coordinate, with at most one decimal.
fn num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{:.0}", r + 0.0)
    } else {
        format!("{r:.1}")
    }
}

/// The colour of series `s`.
fn colour(s: usize) -> &'static str {
    PALETTE[s % PALETTE.len()]
}

/// Text made safe for SVG content and attribute values.
fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(ch),
        }
    }
    o
}

/// About how wide a character is at `size` px: Chinese (and other wide) characters a full em,
/// the rest a little over half.
fn char_width(ch: char, size: f64) -> f64 {
    if u32::from(ch) >= 0x2E80 {
        size
    } else {
        size * 0.62
    }
}

/// About how wide `text` is at `size` px.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars().map(|c| char_width(c, size)).sum()
}

/// `text` cut short with "…" to fit `max` px, and whether it was cut.
fn fit(text: &str, max: f64, size: f64) -> (String, bool) {
    if text_width(text, size) <= max {
        return (text.to_owned(), false);
    }
    let room = max - char_width('…', size);
    let mut out = String::new();
    let mut w = 0.0;
    for ch in text.chars() {
        w += char_width(ch, size);
        if w > room {
            break;
        }
        out.push(ch);
    }
    out.push('…');
    (out, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(categories: &[&str], series: &[(&str, &[f64])]) -> BarChart {
        BarChart {
            title: "各省每月备案".to_owned(),
            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
            series: series
                .iter()
                .map(|(label, values)| Series {
                    label: (*label).to_owned(),
                    values: values.to_vec(),
                })
                .collect(),
            unit: "件".to_owned(),
            category_label: "省份".to_owned(),
            description: String::new(),
        }
    }

    /// The values of attribute `name` on every element, in order.
    fn attrs<'a>(svg: &'a str, name: &str) -> Vec<&'a str> {
        let key = format!(" {name}=\"");
        svg.match_indices(&key)
            .filter_map(|(i, _)| {
                let rest = &svg[i + key.len()..];
                rest.find('"').map(|end| &rest[..end])
            })
            .collect()
    }

    /// The contents of every `<text …>` element whose opening tag contains `marker`.
    fn texts<'a>(svg: &'a str, marker: &str) -> Vec<&'a str> {
        svg.match_indices("<text ")
            .filter_map(|(i, _)| {
                let rest = &svg[i..];
                let open_end = rest.find('>')?;
                if !rest[..open_end].contains(marker) {
                    return None;
                }
                let body = &rest[open_end + 1..];
                body.find("</text>").map(|end| &body[..end])
            })
            .collect()
    }

    #[test]
    fn text_is_escaped_everywhere() {
        let mut c = chart(&["<script>"], &[("a&b", &[1.0]), ("\"q\"", &[2.0])]);
        c.title = "A & <B> 'x'".to_owned();
        c.unit = "<u>".to_owned();
        c.category_label = "it's".to_owned();
        let svg = c.svg("c1");
        assert!(svg.contains("A &amp; &lt;B&gt; &#39;x&#39;"), "{svg}");
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("a&amp;b"));
        assert!(svg.contains("&quot;q&quot;"));
        assert!(svg.contains("&lt;u&gt;"));
        assert!(svg.contains("it&#39;s"));
        for raw in ["<script>", "<B>", "<u>", "a&b", "\"q\"", "'x'", "it's"] {
            assert!(!svg.contains(raw), "{raw} left raw");
        }
        assert_eq!(escape(r#"&<>"'"#), "&amp;&lt;&gt;&quot;&#39;");
    }

    #[test]
    fn one_bar_per_category_and_series_with_its_hover_text() {
        let c = chart(
            &["北京", "上海", "广东"],
            &[("立案", &[3.0, 5.0, 12.0]), ("投诉", &[1.0, 0.0, 2.5])],
        );
        let svg = c.svg("f");
        assert_eq!(svg.matches("<rect class=\"bar\"").count(), 6);
        assert_eq!(svg.matches("<title>").count(), 6);
        for hover in [
            "北京 · 立案: 3 件",
            "上海 · 立案: 5 件",
            "广东 · 立案: 12 件",
            "北京 · 投诉: 1 件",
            "上海 · 投诉: 0 件",
            "广东 · 投诉: 2.5 件",
        ] {
            assert!(svg.contains(&format!("<title>{hover}</title>")), "{hover}");
        }
        // Bars of one series share its colour; the two series differ.
        let fills = attrs(&svg, "fill");
        assert_eq!(fills.iter().filter(|f| **f == PALETTE[0]).count(), 3 + 1);
        assert_eq!(fills.iter().filter(|f| **f == PALETTE[1]).count(), 3 + 1);
        // Every bar has a dark outline.
        assert_eq!(
            svg.matches(&format!(
                "stroke=\"{STROKE}\" stroke-width=\"0.75\"><title>"
            ))
            .count(),
            6
        );
        assert_eq!(
            texts(&svg, "class=\"category\""),
            vec!["北京", "上海", "广东"]
        );
    }

    #[test]
    fn numbers_are_written_beside_the_bars() {
        let c = chart(
            &["甲", "乙", "丙", "丁"],
            &[("中位工作日", &[12.0, 2.5, 0.0, 2.96])],
        );
        let svg = c.svg("d");
        assert_eq!(texts(&svg, "class=\"value\""), vec!["12", "2.5", "0", "3"]);
        // A number starts just after the end of its bar; a zero bar has no length.
        let bars: Vec<&str> = svg.split("<rect class=\"bar\"").skip(1).collect();
        assert_eq!(bars.len(), 4);
        assert_eq!(attrs(bars[2], "width")[0], "0");
        for bar in bars {
            let at = |name: &str, i: usize| attrs(bar, name)[i].parse::<f64>().unwrap_or(f64::NAN);
            let (bar_x, bar_w, value_x) = (at("x", 0), at("width", 0), at("x", 1));
            assert!((value_x - (bar_x + bar_w + GAP)).abs() < 0.2, "{bar}");
        }
    }

    #[test]
    fn negative_nan_and_missing_values_draw_no_bar_but_say_their_value() {
        let c = chart(&["甲", "乙", "丙", "丁"], &[("x", &[-3.0, f64::NAN, 4.0])]);
        let svg = c.svg("n");
        assert_eq!(texts(&svg, "class=\"value\""), vec!["-3", "—", "4", "—"]);
        let bars: Vec<&str> = svg.split("<rect class=\"bar\"").skip(1).collect();
        assert_eq!(bars.len(), 4);
        for i in [0, 1, 3] {
            assert_eq!(attrs(bars[i], "width")[0], "0", "bar {i}");
        }
        assert_ne!(attrs(bars[2], "width")[0], "0");
        assert!(svg.contains("<title>乙 · x: —</title>"));
        assert!(svg.contains("<title>甲 · x: -3 件</title>"));
    }

    #[test]
    fn values_print_whole_or_with_one_decimal() {
        for (v, text) in [
            (2.0, "2"),
            (2.5, "2.5"),
            (2.96, "3"),
            (-0.04, "0"),
            (1234.56, "1234.6"),
            (-1.25, "-1.3"),
            (0.0, "0"),
        ] {
            assert_eq!(value_text(v), text, "{v}");
        }
        assert_eq!(value_text(f64::NAN), "—");
    }

    #[test]
    fn ticks_are_nice_and_reach_the_largest_value() {
        let labels = |max: f64| Ticks::for_max(max).labels();
        assert_eq!(labels(0.0), ["0", "1", "2", "3", "4"]);
        assert_eq!(labels(7.0), ["0", "2", "4", "6", "8"]);
        assert_eq!(labels(10.0), ["0", "2", "4", "6", "8", "10"]);
        assert_eq!(labels(123.0), ["0", "50", "100", "150"]);
        assert_eq!(labels(0.5), ["0.0", "0.1", "0.2", "0.3", "0.4", "0.5"]);
        assert_eq!(Ticks::for_max(0.3).values(), [0.0, 0.1, 0.2, 0.3]);
        for max in [
            0.07, 0.3, 1.0, 3.0, 9.9, 11.0, 31.0, 99.0, 250.0, 1e6, 123456.0,
        ] {
            let t = Ticks::for_max(max);
            let n = t.values().len();
            assert!((4..=6).contains(&n), "{max}: {n} ticks");
            assert!(t.top() >= max, "{max}: top {}", t.top());
            assert!([1, 2, 5].contains(&t.mantissa));
        }
        // The chart draws them.
        let svg = chart(&["甲"], &[("x", &[7.0])]).svg("t");
        assert_eq!(texts(&svg, "class=\"tick\""), ["0", "2", "4", "6", "8"]);
        assert_eq!(texts(&svg, "class=\"value-label\""), ["件"]);
        assert_eq!(texts(&svg, "class=\"category-label\""), ["省份"]);
    }

    #[test]
    fn the_legend_appears_only_with_several_series() {
        let one = chart(&["甲", "乙"], &[("立案", &[1.0, 2.0])]).svg("a");
        assert!(!one.contains("class=\"legend\""));
        assert_eq!(one.matches("class=\"swatch\"").count(), 0);
        let two = chart(
            &["甲", "乙"],
            &[("立案", &[1.0, 2.0]), ("撤回", &[0.0, 1.0])],
        )
        .svg("b");
        assert!(two.contains("class=\"legend\""));
        assert_eq!(two.matches("class=\"swatch\"").count(), 2);
        let legend = two
            .split("<g class=\"legend\">")
            .nth(1)
            .and_then(|l| l.split("</g>").next())
            .unwrap_or_default();
        assert_eq!(texts(legend, "x="), ["立案", "撤回"]);
    }

    #[test]
    fn ids_carry_the_prefix_and_label_the_svg() {
        let c = chart(
            &["甲", "乙"],
            &[("立案", &[1.0, 2.0]), ("撤回", &[0.0, 1.0])],
        );
        let svg = c.svg("stats-filings");
        let ids = attrs(&svg, "id");
        assert_eq!(ids, ["stats-filings-title", "stats-filings-desc"]);
        assert!(svg.starts_with("<svg "));
        assert!(svg.ends_with("</svg>"));
        assert!(
            svg.contains(r#"role="img" aria-labelledby="stats-filings-title stats-filings-desc""#)
        );
        assert!(svg.contains(r#"<title id="stats-filings-title">各省每月备案</title>"#));
        assert!(svg.contains(
            r#"<desc id="stats-filings-desc">2 categories (省份), series: 立案, 撤回; values in 件</desc>"#
        ));
        assert!(attrs(&c.svg("other"), "id")
            .iter()
            .all(|id| id.starts_with("other-")));
    }

    #[test]
    fn empty_data_gives_nothing() {
        assert_eq!(chart(&[], &[("x", &[1.0])]).svg("e"), "");
        assert_eq!(chart(&["甲"], &[]).svg("e"), "");
    }

    #[test]
    fn text_is_large_enough_in_chinese_fonts_and_the_svg_scales() {
        let svg = chart(&["甲"], &[("x", &[1.0]), ("y", &[2.0])]).svg("s");
        let sizes = attrs(&svg, "font-size");
        assert!(!sizes.is_empty());
        for s in sizes {
            assert!(s.parse::<f64>().unwrap_or(0.0) >= 12.0, "{s}");
        }
        let family = attrs(&svg, "font-family");
        assert_eq!(family.len(), 1);
        for font in [
            "Noto Sans CJK SC",
            "Source Han Sans SC",
            "Microsoft YaHei",
            "sans-serif",
        ] {
            assert!(family[0].contains(font), "{font}");
        }
        assert_eq!(attrs(&svg, "width")[0], "100%");
        assert!(attrs(&svg, "viewBox")[0].starts_with("0 0 720 "));
        assert_eq!(attrs(&svg, "preserveAspectRatio"), ["xMinYMin meet"]);
        // Text is dark; only the palette, white, greys and ink appear as fills.
        for fill in attrs(&svg, "fill") {
            assert!(
                [INK, INK_SOFT, "#ffffff"].contains(&fill) || PALETTE.contains(&fill),
                "{fill}"
            );
        }
    }

    #[test]
    fn height_grows_with_categories_times_series() {
        let height = |svg: &str| -> f64 {
            attrs(svg, "viewBox")[0]
                .rsplit(' ')
                .next()
                .and_then(|h| h.parse().ok())
                .unwrap_or(0.0)
        };
        let provinces: Vec<String> = (0..31).map(|i| format!("省{i}")).collect();
        let names: Vec<&str> = provinces.iter().map(String::as_str).collect();
        let values = vec![5.0; 31];
        let small = chart(&names[..3], &[("a", &values[..3])]).svg("h");
        let big = chart(&names, &[("a", &values), ("b", &values), ("c", &values)]).svg("h");
        assert!(height(&big) > height(&small) * 5.0);
        // At least 14 units per bar, so 93 bars stay readable.
        assert!(height(&big) >= 31.0 * 3.0 * 14.0, "{}", height(&big));
        // A tall chart repeats its tick labels below the bars.
        assert_eq!(
            texts(&big, "class=\"tick\"").len(),
            2 * texts(&small, "class=\"tick\"").len()
        );
    }

    #[test]
    fn long_labels_are_cut_short_and_keep_their_full_text() {
        let long = "新疆维吾尔自治区生产建设兵团第十四师昆玉市所属各团场合计";
        let svg = chart(&[long], &[("x", &[1.0])]).svg("l");
        let shown = texts(&svg, "class=\"category\"");
        assert_eq!(shown.len(), 1);
        assert!(shown[0].starts_with(&format!("<title>{long}</title>")));
        assert!(shown[0].ends_with('…'));
        assert!(text_width(shown[0].rsplit("</title>").next().unwrap_or(""), FONT) <= MAX_LABEL);
    }

    #[test]
    fn a_description_given_in_the_page_language_is_the_charts_desc() {
        let mut c = chart(&["上海市"], &[("首次备案", &[2.0])]);
        assert!(c.svg("a").contains("1 category"));
        c.description = "提交备案：1 个省份的条形图 <件>".to_owned();
        let svg = c.svg("a");
        assert!(svg.contains(r#"<desc id="a-desc">提交备案：1 个省份的条形图 &lt;件&gt;</desc>"#));
    }
}
