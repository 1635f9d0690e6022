"""Copy-paste detection (dashboard.similarity) on one county: 50 units × 7 years, §一 and §五.

    .venv/bin/python bench/bench_similarity.py [--units 50] [--years 7] [--runs 5] [--seed 1]

Pure Python, no database: the texts are generated (seeded) the way county reports look — every
unit writes from the same stock of official phrasing, about a third of units in a year copy another
unit's text with the name, the numbers and a sentence or two changed, and about half of the units
reuse their own previous year's text. Timed in process CPU time, best of ``--runs``:

1. shingling every text (what the selectors do when they load the reports);
2. the county page: groups among the units of one year, for every year and both sections;
3. the unit page: pairs among one unit's years, for every unit and both sections;
4. highlighting the shared passages of every group found (what the county page renders);
5. a stress case the pages never do: all units × all years of one section compared at once.
Prints a Markdown table and the number of groups and pairs found (a sanity check on the generator).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard import similarity as sim  # noqa: E402  (no Django needed for the pure part)

STOCK = [
    "{y}年，{n}认真贯彻落实《中华人民共和国政府信息公开条例》和上级关于政务公开工作的部署要求。",
    "坚持以公开为常态、不公开为例外，全面推进决策、执行、管理、服务、结果公开。",
    "全年通过政府门户网站主动公开政府信息{a}条，其中机构职能类信息{b}条，财政预决算信息{c}条。",
    "围绕乡村振兴、民生保障、安全生产等重点领域，及时发布政策文件和工作动态。",
    "进一步规范依申请公开办理流程，严格按照法定时限答复，全年共收到政府信息公开申请{d}件。",
    "加强政府信息管理，建立健全公开前保密审查机制，确保公开内容准确、规范。",
    "依托政府门户网站、政务新媒体和村务公开栏，拓宽信息公开渠道，方便群众查阅。",
    "落实政务公开工作责任制，主要领导亲自抓，分管领导具体抓，明确专人负责日常工作。",
    "组织工作人员参加政务公开业务培训{e}次，提升工作人员业务能力和公开意识。",
    "将政务公开工作纳入年度绩效考核，未发生因政府信息公开工作被追究责任的情况。",
    "全年更新涉农补贴、低保救助、惠民资金等信息{f}条，接受群众监督。",
    "开展政府开放日活动，邀请群众代表参与，听取意见建议{g}条并逐一落实。",
    "对照公开目录逐项梳理公开事项，及时调整栏目设置，做到应公开尽公开。",
    "加强政策解读，采用图文、视频等形式解读重要政策文件{h}件，提高政策知晓度。",
    "规范政务新媒体管理，关停整合内容更新不及时的账号，确保发布内容权威准确。",
    "推进基层政务公开标准化规范化建设，完善便民服务中心公开专区。",
]
PROBLEMS = [
    "一是公开内容不够全面，部分领域信息更新不及时。",
    "二是政策解读形式较为单一，解读质量有待提高。",
    "三是工作人员业务水平参差不齐，专业培训不足。",
    "四是公开平台功能有待完善，互动交流渠道不够畅通。",
    "下一步，将加强学习培训，提升业务能力；细化公开目录，拓展公开深度；完善考核机制，强化监督检查。",
    "针对上述问题，我们将加大培训力度，规范发布流程，确保信息发布及时准确。",
    "同时，将进一步丰富解读形式，增强解读的针对性和可读性，回应群众关切。",
    "持续优化平台栏目设置，提升用户体验，畅通意见征集渠道。",
]
FILLER = "本年度还结合实际情况，围绕{t}开展了专项公开工作，及时回应社会关切，取得了较好成效。"
TOPICS = ["防汛抗旱", "人居环境整治", "疫情防控", "耕地保护", "移风易俗", "就业帮扶", "养老服务", "校园安全",
          "集体经济", "河长制", "森林防火", "社会救助"]


VERBS = ["梳理", "公开", "发布", "更新", "解读", "整改", "核查", "印发", "归档", "转办", "答复", "推送"]
OBJECTS = ["村级财务收支", "惠农补贴发放名单", "重大项目进展", "征地拆迁补偿方案", "低保对象名单", "道路建设招标结果",
           "防汛应急预案", "环境整治通报", "便民服务事项清单", "财政预算执行情况", "集体资产处置结果", "义务教育招生政策",
           "医保缴费标准", "危房改造名单", "退役军人优待政策", "城乡规划调整方案"]
RESULTS = ["群众满意度明显提升", "获得县里通报表扬", "相关问题得到及时解决", "收到群众留言并全部回复",
           "形成可复制的经验做法", "信息查阅量较上年增长", "有效减少了信访投诉", "推动了工作落实"]
PLACES = ["镇政务服务中心", "各行政村公开栏", "镇政府网站专栏", "微信公众号", "便民服务站", "村民代表会议"]


def own_sentence(rng: random.Random) -> str:
    """A sentence in a unit's own words: specific topics, places and numbers."""
    return (f"{rng.choice(TOPICS)}方面，通过{rng.choice(PLACES)}{rng.choice(VERBS)}{rng.choice(OBJECTS)}"
            f"{rng.randint(2, 90)}项，{rng.choice(VERBS)}{rng.choice(OBJECTS)}，{rng.choice(RESULTS)}。")


def write(rng: random.Random, name: str, year: int, stock: list[str], k: int, own: int) -> str:
    nums = {c: rng.randint(1, 400) for c in "abcdefgh"}
    picked = [s.format(y=year, n=name, **nums) for s in rng.sample(stock, k)]
    picked += [own_sentence(rng) for _ in range(own)]
    rng.shuffle(picked)
    return "".join(picked)


def vary(rng: random.Random, text: str, old: str, new: str, year: int) -> str:
    """A copy: another name, other numbers, one sentence dropped, one added."""
    text = text.replace(old, new)
    for digit in "0123456789":
        if rng.random() < 0.3:
            text = text.replace(digit, str(rng.randint(0, 9)))
    sentences = [s for s in text.split("。") if s]
    if len(sentences) > 4:
        sentences.pop(rng.randrange(len(sentences)))
    sentences.insert(rng.randrange(len(sentences) + 1), FILLER.format(t=rng.choice(TOPICS)).rstrip("。"))
    return "。".join(sentences) + "。"


def county(units: int, years: int, seed: int) -> dict[tuple[str, int, str], str]:
    rng = random.Random(seed)
    names = [f"第{i:02d}镇" for i in range(units)]
    texts: dict[tuple[str, int, str], str] = {}
    for y in range(2019, 2019 + years):
        for name in names:
            if y > 2019 and rng.random() < 0.5:  # reuse own previous year
                for sec in ("s1", "s5"):
                    texts[(name, y, sec)] = vary(rng, texts[(name, y - 1, sec)], str(y - 1), str(y), y)
            else:
                texts[(name, y, "s1")] = write(rng, name, y, STOCK, 6, 28)
                texts[(name, y, "s5")] = write(rng, name, y, PROBLEMS, 3, 8)
        for name in names:  # a third copy a neighbour this year
            if rng.random() < 0.33:
                src = rng.choice(names)
                if src != name:
                    for sec in ("s1", "s5"):
                        texts[(name, y, sec)] = vary(rng, texts[(src, y, sec)], src, name, y)
    return texts


def best(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t = time.process_time()  # CPU time: the shared machine's other work does not count
        out = fn()
        times.append(time.process_time() - t)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--units", type=int, default=50)
    ap.add_argument("--years", type=int, default=7)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    texts = county(args.units, args.years, args.seed)
    years = sorted({y for _n, y, _s in texts})
    names = sorted({n for n, _y, _s in texts})
    chars = sum(len(t) for t in texts.values())

    def shingle_all():
        return {k: sim.Doc(key=f"{k[0]}/{k[1]}/{k[2]}", label=k[0], text=t, names=(k[0],)) for k, t in texts.items()}

    t_shingle, docs = best(shingle_all, args.runs)

    def county_pages():
        return [sim.find_groups([docs[(n, y, s)] for n in names]) for y in years for s in ("s1", "s5")]

    def unit_pages():
        return [sim.similar_pairs([docs[(n, y, s)] for y in years]) for n in names for s in ("s1", "s5")]

    t_county, groups = best(county_pages, args.runs)
    t_units, pairs = best(unit_pages, args.runs)
    t_mark, _ = best(lambda: [g.highlighted() for page in groups for g in page], args.runs)
    t_all, all_pairs = best(lambda: sim.similar_pairs([d for k, d in docs.items() if k[2] == "s1"]), max(1, args.runs // 2))

    n_groups = sum(len(p) for p in groups)
    n_pairs = sum(len(p) for p in pairs)
    per_county_page = t_county / (len(years) * 2)
    per_unit_page = t_units / (len(names) * 2)
    print(f"{args.units} units × {args.years} years = {len(texts)} texts, {chars / len(texts):.0f} characters on average; "
          f"Python {sys.version.split()[0]}; best of {args.runs}\n")
    print("| step | total | per page |")
    print("|---|---:|---:|")
    print(f"| shingle all {len(texts)} texts | {t_shingle * 1000:.0f} ms | — |")
    print(f"| county page, every year × 2 sections ({len(years) * 2} pages; {n_groups} groups) | "
          f"{t_county * 1000:.1f} ms | {per_county_page * 1000:.2f} ms |")
    print(f"| unit page, every unit × 2 sections ({len(names) * 2} pages; {n_pairs} pairs) | "
          f"{t_units * 1000:.1f} ms | {per_unit_page * 1000:.3f} ms |")
    print(f"| highlight shared passages of all {n_groups} groups | {t_mark * 1000:.0f} ms | — |")
    print(f"| stress: all {len(names) * len(years)} §一 texts at once ({len(all_pairs)} pairs ≥ threshold) | "
          f"{t_all * 1000:.0f} ms | — |")


if __name__ == "__main__":
    main()
