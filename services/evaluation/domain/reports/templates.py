"""HTML of the PDF reports (rendered by WeasyPrint). Bilingual labels, Chinese first."""

from __future__ import annotations

from jinja2 import Environment, StrictUndefined

STYLE = """
@page { size: A4; margin: 18mm 14mm 18mm 14mm;
        @bottom-center { content: counter(page) " / " counter(pages); font-size: 9pt; color: #666; } }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "DejaVu Sans", sans-serif;
       font-size: 10pt; color: #222; }
h1 { font-size: 18pt; margin: 0 0 4mm 0; }
h2 { font-size: 13pt; margin: 6mm 0 3mm 0; border-bottom: 1px solid #999; }
section.page { page-break-before: always; }
section.page:first-of-type { page-break-before: avoid; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #bbb; padding: 1.2mm 1.6mm; text-align: left; vertical-align: top; }
th { background: #eef2f7; }
thead { display: table-header-group; }
td.num, th.num { text-align: right; }
.grade-excellent { color: #2e7d32; } .grade-good { color: #1565c0; }
.grade-pass { color: #a67c00; } .grade-fail { color: #c62828; font-weight: bold; }
.muted { color: #666; font-size: 9pt; }
.veto { color: #c62828; font-weight: bold; }
"""

GRADE_NAMES = {
    "excellent": "优秀 / excellent",
    "good": "良好 / good",
    "pass": "合格 / pass",
    "fail": "不合格 / fail",
}

COUNTY_REPORT = """<!doctype html>
<html lang="zh-Hans"><head><meta charset="utf-8"><title>{{ title }}</title><style>{{ style }}</style></head>
<body>
<section class="page" id="summary">
  <h1>{{ title }}</h1>
  <p>{{ campaign.year }} · {{ state }} · 生成于 / generated {{ generated }}</p>
  <h2>概况 / Summary</h2>
  <table>
    <tr><th>参评学校 / schools</th><td class="num">{{ results|length }}</td></tr>
    <tr><th>平均分 / average total</th><td class="num">{{ average }}</td></tr>
    {% for grade, count in distribution.items() %}
    <tr><th class="grade-{{ grade }}">{{ grade_names[grade] }}</th><td class="num">{{ count }}</td></tr>
    {% endfor %}
    <tr><th>一票否决 / vetoed</th><td class="num">{{ vetoed|length }}</td></tr>
  </table>
  {% if vetoed %}
  <h2>一票否决 / Vetoed schools</h2>
  <ul>{% for r in vetoed %}<li class="veto">{{ r.school_name }}: {{ r.veto_reasons|map(attribute="title")|join("; ") }}</li>{% endfor %}</ul>
  {% endif %}
</section>
<section class="page" id="charts">
  <h2>等级分布 / Grade distribution</h2>
  {{ grade_chart|safe }}
  <h2>总分分布 / Totals</h2>
  {{ histogram|safe }}
  <h2>各类别平均得分率 / Average per category (% of weight)</h2>
  {{ category_chart|safe }}
</section>
<section class="page" id="ranking">
  <h2>排名 / Ranking</h2>
  <table>
    <thead><tr><th class="num">名次 / rank</th><th>学校 / school</th><th class="num">总分 / total</th>
      <th>等级 / grade</th>{% for c in categories %}<th class="num">{{ c.code }}</th>{% endfor %}
      <th>验收 / acceptance</th><th class="num">变化 / change</th></tr></thead>
    <tbody>
    {% for r in results %}
      <tr><td class="num">{{ r.rank }}</td><td>{{ r.school_name }}<br><span class="muted">{{ r.school_code }}</span></td>
        <td class="num">{{ "%.2f"|format(r.total) }}</td><td class="grade-{{ r.grade }}">{{ grade_names[r.grade] }}{% if r.vetoed %} ✗{% endif %}</td>
        {% for c in r.categories %}<td class="num">{{ "%.1f"|format(c.score) }}</td>{% endfor %}
        <td>{{ r.acceptance or "—" }}</td><td class="num">{{ "%+.2f"|format(r.change) if r.change is not none else "—" }}</td></tr>
    {% endfor %}
    </tbody>
  </table>
  <p class="muted">{% for c in categories %}{{ c.code }}: {{ c.title }} ({{ c.weight }}){% if not loop.last %}; {% endif %}{% endfor %}</p>
</section>
<section class="page" id="calibration">
  <h2>检查组评分校准 / Inspector calibration</h2>
  <p class="muted">各组“检查得分率 − 客观指标得分率”的均值与其他各组的差（百分点）。/ Each team's mean gap between
  inspection and objective scores, compared with the other teams (percentage points).</p>
  <table>
    <thead><tr><th>检查组 / team</th><th class="num">学校 / schools</th><th class="num">偏差 / deviation</th><th></th></tr></thead>
    <tbody>
    {% for t in calibration %}
      <tr><td>{{ t.team_name }}</td><td class="num">{{ t.schools }}</td><td class="num">{{ "%+.1f"|format(t.deviation) }}</td>
        <td>{% if t.flagged %}<span class="veto">需复核 / review</span>{% endif %}</td></tr>
    {% else %}
      <tr><td colspan="4">尚无已决定的检查 / no decided inspection yet</td></tr>
    {% endfor %}
    </tbody>
  </table>
</section>
</body></html>
"""

REPORT_CARD = """<!doctype html>
<html lang="zh-Hans"><head><meta charset="utf-8"><title>{{ title }}</title><style>{{ style }}</style></head>
<body>
<section class="page" id="summary">
  <h1>{{ result.school_name }}</h1>
  <p>{{ campaign.title }} · {{ campaign.year }} · {{ state }}</p>
  <table>
    <tr><th>总分 / total</th><td class="num">{{ "%.2f"|format(result.total) }}</td></tr>
    <tr><th>等级 / grade</th><td class="grade-{{ result.grade }}">{{ grade_names[result.grade] }}</td></tr>
    <tr><th>名次 / rank</th><td class="num">{{ result.rank }} / {{ schools }}</td></tr>
    <tr><th>加分 / bonus</th><td class="num">{{ "%.2f"|format(result.bonus) }}</td></tr>
    <tr><th>较上次评价 / change since the last evaluation</th>
        <td class="num">{{ "%+.2f"|format(result.change) if result.change is not none else "—" }}</td></tr>
    <tr><th>验收结论 / acceptance</th><td>{{ result.acceptance or "尚未验收 / not inspected yet" }}</td></tr>
    {% if result.vetoed %}<tr><th>一票否决 / veto</th><td class="veto">{{ result.veto_reasons|map(attribute="title")|join("; ") }}</td></tr>{% endif %}
  </table>
  {% if requests %}
  <h2>整改要求 / Rectification requests</h2>
  <ol>{% for r in requests %}<li>{{ r }}</li>{% endfor %}</ol>
  {% endif %}
  <h2>各类别得分 / Category scores</h2>
  {{ category_chart|safe }}
  {% if digest %}<p class="muted">sha256 {{ digest }}</p>{% endif %}
</section>
<section class="page" id="breakdown">
  <h2>评分明细 / Breakdown</h2>
  <table>
    <thead><tr><th>指标 / item</th><th class="num">满分 / max</th><th class="num">得分 / points</th><th>依据 / based on</th></tr></thead>
    <tbody>
    {% for i in result["items"] %}
      <tr><td>{{ i.title }}<br><span class="muted">{{ i.code }}</span></td><td class="num">{{ i.max_points }}</td>
        <td class="num">{% if i.kind == "veto" %}{{ "✗" if i.state == "triggered" else "—" }}{% else %}{{ "%.2f"|format(i.points) }}{% endif %}</td>
        <td>{% if i.figures %}{% for k, v in i.figures.items() %}{{ k }}: {{ v }}{% if not loop.last %}, {% endif %}{% endfor %}
            {% elif i.state == "no_data" %}暂无数据 / no data{% else %}{{ i.comment }}{% endif %}</td></tr>
    {% endfor %}
    </tbody>
  </table>
</section>
</body></html>
"""

environment = Environment(autoescape=True, undefined=StrictUndefined)
county_template = environment.from_string(COUNTY_REPORT)
report_card_template = environment.from_string(REPORT_CARD)
