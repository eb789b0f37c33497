//! SVG plots with plotters: latency CDFs on a log-x axis, one line per
//! server, and horizontal stacked bars (per-query phase breakdown,
//! connection set-up).

use std::path::Path;

use anyhow::{anyhow, Result};
use plotters::prelude::*;

use crate::analysis::Bar;

const COLORS: [RGBColor; 9] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
];

fn color(i: usize) -> RGBColor {
    COLORS[i % COLORS.len()]
}

fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("plotting: {e}")
}

/// One line of a CDF plot: a server's (value_us, cumulative fraction).
pub struct CdfLine {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

/// Latency CDFs, x in µs on a log scale.
pub fn cdf(path: &Path, title: &str, lines: &[CdfLine]) -> Result<()> {
    let values = lines.iter().flat_map(|l| l.points.iter().map(|p| p.0));
    let (lo, hi) = values.fold((f64::MAX, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if hi <= 0.0 {
        return Err(anyhow!("no latency samples for {title}"));
    }
    let (lo, hi) = ((lo / 1.5).max(0.01), hi * 1.5);
    let root = SVGBackend::new(path, (900, 500)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d((lo..hi).log_scale(), 0.0f64..1.0)
        .map_err(err)?;
    chart
        .configure_mesh()
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 15))
        .x_desc("latency per query, µs (log scale)")
        .y_desc("fraction of queries at or below")
        .x_label_formatter(&|v| format!("{v}"))
        .draw()
        .map_err(err)?;
    for (i, l) in lines.iter().enumerate() {
        let c = color(i);
        // A step at each bucket: flat until the bucket's value, then up.
        let mut pts = Vec::with_capacity(l.points.len() * 2 + 1);
        let mut prev = 0.0;
        for &(x, y) in &l.points {
            pts.push((x, prev));
            pts.push((x, y));
            prev = y;
        }
        chart
            .draw_series(LineSeries::new(pts, c.stroke_width(2)))
            .map_err(err)?
            .label(l.name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .label_font(("sans-serif", 14))
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    root.present().map_err(err)
}

/// Part names in first-seen order (they decide the colours).
fn part_names(bars: &[Bar]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for b in bars {
        for (n, _) in &b.parts {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
    }
    names
}

/// Horizontal stacked bars, one per server, first bar on top.
pub fn stacked(path: &Path, title: &str, x_desc: &str, bars: &[Bar]) -> Result<()> {
    let n = bars.len();
    let max = bars.iter().map(Bar::total).fold(0.0f64, f64::max);
    if n == 0 || max <= 0.0 {
        return Err(anyhow!("nothing to plot for {title}"));
    }
    let names = part_names(bars);
    // Room on the right for the legend.
    let xmax = max * 1.9;
    let height = (140 + 70 * n as u32).max(120 + 22 * names.len() as u32);
    let root = SVGBackend::new(path, (900, height)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let labels: Vec<String> = bars.iter().rev().map(|b| b.server.clone()).collect();
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(140)
        // 0..n-1 is inclusive here: exactly n segments (two for one bar, as a
        // single segment gets no label).
        .build_cartesian_2d(0.0..xmax, (0..(n - 1).max(1)).into_segmented())
        .map_err(err)?;
    chart
        .configure_mesh()
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 15))
        .disable_y_mesh()
        .x_desc(x_desc)
        .y_label_formatter(&|y| match y {
            SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .draw()
        .map_err(err)?;
    for (k, name) in names.iter().enumerate() {
        let c = color(k);
        let rects: Vec<Rectangle<(f64, SegmentValue<usize>)>> = bars
            .iter()
            .enumerate()
            .filter_map(|(i, b)| {
                let pos = b.parts.iter().position(|(n, _)| n == name)?;
                let x0: f64 = b.parts[..pos].iter().map(|p| p.1.max(0.0)).sum();
                let w = b.parts[pos].1.max(0.0);
                let y = n - 1 - i;
                (w > 0.0).then(|| {
                    let mut r = Rectangle::new(
                        [
                            (x0, SegmentValue::Exact(y)),
                            (x0 + w, SegmentValue::Exact(y + 1)),
                        ],
                        c.filled(),
                    );
                    r.set_margin(12, 12, 0, 0);
                    r
                })
            })
            .collect();
        chart
            .draw_series(rects)
            .map_err(err)?
            .label(name.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], c.filled()));
    }
    chart
        .configure_series_labels()
        .label_font(("sans-serif", 14))
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    root.present().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_svgs() {
        let dir = std::env::temp_dir().join(format!("pgfork-report-plot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let lines = [CdfLine {
            name: "a".into(),
            points: vec![(10.0, 0.5), (20.0, 1.0)],
        }];
        cdf(&dir.join("c.svg"), "t", &lines).unwrap();
        let bars = [Bar {
            server: "s".into(),
            parts: vec![("x".into(), 1.0), ("y".into(), 2.0)],
        }];
        stacked(&dir.join("s.svg"), "t", "µs", &bars).unwrap();
        let svg = std::fs::read_to_string(dir.join("s.svg")).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains(">\ns\n</text>"), "server label missing");
        assert!(cdf(&dir.join("e.svg"), "t", &[]).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
