"""Length variants of the shared test collections, so that a ranking choice can be looked at per record length.

- ``sentence`` (the XQuAD-R sets as shipped): one sentence a document, short passages;
- ``article`` (the XQuAD-R sets): every sentence of a Wikipedia article joined in order into one document,
  titled with the article's name, as long records are (a practice's several sections, a file's pages); a
  question's relevant document is the article holding its answer sentence;
- ``paragraph`` (the XQuAD-R sets): the sentences of one paragraph joined, medium length;
- ``mixed`` (the XQuAD-R sets): short and long records in one index, as ATN Hub holds a contact's one-line
  role beside a practice with a long file: the articles taken in turn (by their number: even, odd) are kept
  as single sentences or joined whole as above; a question's relevant document is its answer sentence or the
  article holding it;
- ``abstract`` (Cranfield as shipped): a title and an abstract that repeats it, as a practice's summary
  often repeats its title;
- ``half-repeat`` (Cranfield): the abstracts of the even-numbered documents without that repeat, as some
  summaries repeat their title and others don't in one index.

``variants(name)`` returns {variant: (docs, queries, qrels, language)}.
"""
from __future__ import annotations

from baselines import language_of
from metrics import Qrels, load_collection
from shared_data import collection

LENGTHS = ("sentence", "paragraph", "article", "mixed")


def variants(name: str, lengths: tuple[str, ...] = LENGTHS) -> dict[str, tuple[list[dict], dict, Qrels, str]]:
    directory = collection(name)
    docs, queries, qrels = load_collection(directory)
    # Cranfield's two documents without a title or text: the importer refuses them (a practice needs a
    # summary), and a document without words matches no query in any engine.
    docs = [doc for doc in docs if doc.get("title") or doc.get("text")]
    language = language_of(directory)
    if not all("article" in doc for doc in docs):
        return {"abstract": (docs, queries, qrels, language),
                "half-repeat": (half_repeating(docs), queries, qrels, language)}
    found = {}
    for length in lengths:
        if length == "sentence":
            found[length] = (docs, queries, qrels, language)
        elif length == "mixed":
            mixed_docs, qrels_mixed = mixed(docs, qrels)
            found[length] = (mixed_docs, queries, qrels_mixed, language)
        else:
            grouped, qrels_grouped = joined(docs, qrels, length)
            found[length] = (grouped, queries, qrels_grouped, language)
    return found


def joined(docs: list[dict], qrels: Qrels, length: str) -> tuple[list[dict], Qrels]:
    """Sentences joined per article (``article``) or per paragraph (``paragraph``), in their order; the
    judgments moved to the joined document (a question's best grade in it)."""
    def group_of(doc: dict) -> str:
        article, paragraph, _ = doc["_id"].split("-")
        return article if length == "article" else f"{article}-{paragraph}"

    def order(doc: dict) -> tuple[int, ...]:
        return tuple(int(part) for part in doc["_id"].split("-"))

    groups: dict[str, list[dict]] = {}
    for doc in sorted(docs, key=order):
        groups.setdefault(group_of(doc), []).append(doc)
    joined_docs = [{"_id": group, "title": members[0]["article"].replace("_", " ") if length == "article" else "",
                    "text": " ".join(doc["text"] for doc in members)} for group, members in groups.items()]
    owner = {doc["_id"]: group_of(doc) for doc in docs}
    moved: Qrels = {}
    for qid, judged in qrels.items():
        for doc_id, grade in judged.items():
            target = moved.setdefault(qid, {})
            target[owner[doc_id]] = max(grade, target.get(owner[doc_id], 0))
    return joined_docs, moved


def mixed(docs: list[dict], qrels: Qrels) -> tuple[list[dict], Qrels]:
    """The sentences of the even-numbered articles as they are, the odd-numbered articles joined whole, in
    one collection; the judgments of a joined article's sentences moved to it."""
    def whole(doc: dict) -> bool:
        return int(doc["_id"].split("-")[0]) % 2 == 1

    sentences = [doc for doc in docs if not whole(doc)]
    kept = {doc["_id"] for doc in sentences}
    articles, moved = joined([doc for doc in docs if whole(doc)],
                             {qid: {d: g for d, g in grades.items() if d not in kept} for qid, grades in qrels.items()},
                             "article")
    judged: Qrels = {}
    for qid, grades in qrels.items():
        judged[qid] = {doc_id: grade for doc_id, grade in grades.items() if doc_id in kept}
        judged[qid].update(moved.get(qid, {}))
    return sentences + articles, {qid: grades for qid, grades in judged.items() if grades}


def half_repeating(docs: list[dict]) -> list[dict]:
    """The documents, those with an even number without the title their text opens with."""
    def unrepeated(doc: dict) -> dict:
        title, text = doc.get("title") or "", doc.get("text") or ""
        if title and text.startswith(title) and text[len(title):].strip():
            return {**doc, "text": text[len(title):].lstrip()}
        return doc

    return [unrepeated(doc) if doc["_id"].isdigit() and int(doc["_id"]) % 2 == 0 else doc for doc in docs]
