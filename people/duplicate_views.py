"""Pages for possible duplicates: the list, two records side by side, "not the same person", choosing what to keep,
the merge (after a page that says it can be undone), the merge's page, and undoing it.

For business support and administrators (accounts.access.may_review_duplicates), about people they may find: a pair
with a restricted record they have no grant for does not exist for them (404)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts import access
from core.errors import ConfirmationNeeded, RuleError
from core.forms import GovForm
from core.views import handle_form, saved_then

from . import duplicates, merging, selectors, services
from .models import DuplicateCandidate, Person, PersonMerge


def _require(request: HttpRequest) -> None:
    if not access.may_review_duplicates(request.user):
        raise PermissionDenied("Only business support and administrators review possible duplicates")


def _findable(request: HttpRequest, pk: int) -> Person:
    person = access.findable_people(request.user).filter(pk=pk).first()
    if person is None:
        raise Http404("No person found")
    return person


@login_required
def duplicate_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    pairs = duplicates.pairs_for_review(request.user)
    services.people_list_view_record(
        actor=request.user,
        what="duplicate_candidates",
        people=[pid for c in pairs for pid in (c.person_id, c.possible_match_id)],
    )
    return render(
        request,
        "people/duplicates/list.html",
        {"pairs": pairs, "merges": _recent_merges(request)},
    )


def _recent_merges(request: HttpRequest) -> list[PersonMerge]:
    findable = access.findable_people(request.user).values("pk")
    return list(
        PersonMerge.objects.filter(survivor_id__in=findable, merged_id__in=findable, undone_at__isnull=True)
        .select_related("survivor", "merged", "merged_by")
        .order_by("-merged_at")[:20]
    )


def _pair(request: HttpRequest, pair_id: int) -> DuplicateCandidate:
    _require(request)
    cand = duplicates.pair_for(request.user, pair_id)
    if cand is None:
        raise Http404("No such pair")
    return cand


@login_required
def duplicate_compare(request: HttpRequest, pair_id: int) -> HttpResponse:
    cand = _pair(request, pair_id)
    comparison = duplicates.compare(cand, request.user)
    for pid in (cand.person_id, cand.possible_match_id):
        services.person_view_record(actor=request.user, person=Person(pk=pid), section="duplicate comparison")
    return render(
        request,
        "people/duplicates/compare.html",
        {
            "c": comparison,
            "pair": cand,
            "refusals": [p.message for p in comparison.problems if not p.confirmable],
            "questions": [p.message for p in comparison.problems if p.confirmable],
            "tombstone": merging.tombstone_of(cand.person_id) or merging.tombstone_of(cand.possible_match_id),
        },
    )


@login_required
@require_http_methods(["POST"])
def duplicate_not_same(request: HttpRequest, pair_id: int) -> HttpResponse:
    cand = _pair(request, pair_id)
    try:
        duplicates.duplicate_not_same(actor=request.user, candidate=cand)
    except RuleError as e:
        return saved_then(request, str(e), "people:duplicates", level=40)
    return saved_then(
        request,
        f"Marked as different people: {cand.person.full_name} (record {cand.person_id}) and "
        f"{cand.possible_match.full_name} (record {cand.possible_match_id}) will not be proposed again",
        "people:duplicates",
    )


class MergeForm(GovForm):
    """One radio question per value the two records disagree on, and the manager's confirmation where a rule asks."""

    def __init__(self, *args: Any, keep: Person, gone: Person, may_confirm: bool, questions: list[str], **kw: Any):
        super().__init__(*args, **kw)
        for key in merging.differing_choices(keep, gone):
            label, ours, theirs = _choice_words(key, keep, gone)
            self.fields[key] = forms.ChoiceField(
                label=label,
                choices=[(merging.KEEP, f"{ours} (record {keep.pk})"), (merging.TAKE, f"{theirs} (record {gone.pk})")],
                widget=forms.RadioSelect,
                initial=merging.KEEP,
                error_messages={
                    "required": f"Select which {label.lower()} to keep",
                    "invalid_choice": f"Select which {label.lower()} to keep",
                },
            )
        if questions and may_confirm:
            self.fields["confirm"] = forms.BooleanField(
                label="As a manager, I confirm these records are the same person",
                required=False,
                error_messages={"required": "Confirm these records are the same person, as a manager"},
            )


def _choice_words(key: str, keep: Person, gone: Person) -> tuple[str, str, str]:
    if key == "current_address":
        a, b = merging.current_address(keep.pk), merging.current_address(gone.pk)
        return "Current address", str(a), str(b)
    if key == "upn":
        u, v = merging.current_upn(keep.pk), merging.current_upn(gone.pk)
        return "Unique pupil number (the other becomes a former UPN)", u.value if u else "", v.value if v else ""
    c = next(c for c in merging.CHOOSABLE if c.key == key)
    return c.label, duplicates.value_words(keep, c), duplicates.value_words(gone, c)


@login_required
@require_http_methods(["GET", "POST"])
def merge_choose(request: HttpRequest, keep_id: int, gone_id: int) -> HttpResponse:
    """Choose, field by field, what the kept record keeps; then a page that says what will happen and that it can be
    undone; then the merge."""
    _require(request)
    keep, gone = _findable(request, keep_id), _findable(request, gone_id)
    if keep.pk == gone.pk:
        raise Http404("Choose two different records")
    problems = merging.merge_problems(keep, gone)
    refusals = [p.message for p in problems if not p.confirmable]
    questions = [p.message for p in problems if p.confirmable]
    may_confirm = access.may_confirm_merge(request.user)
    data = request.POST if request.method == "POST" else None
    form = MergeForm(data, keep=keep, gone=gone, may_confirm=may_confirm, questions=questions)
    step = request.POST.get("step", "choose") if request.method == "POST" else "choose"
    if request.method == "GET":
        for p in (keep, gone):
            services.person_view_record(actor=request.user, person=p, section="merge")
    context = {
        "form": form,
        "keep": keep,
        "gone": gone,
        "refusals": refusals,
        "questions": questions,
        "may_confirm": may_confirm,
        "pair": _pair_of(keep, gone),
    }
    if step == "choose" or refusals:
        if request.method == "POST" and form.is_valid() and not refusals:
            if questions and not form.cleaned_data.get("confirm"):
                form.add_error(
                    "confirm" if may_confirm else None,
                    " ".join(questions) if may_confirm else " ".join(questions) + ". Ask an administrator to do it",
                )
            else:
                return render(request, "people/duplicates/merge_check.html", {**context, "chosen": _chosen(form)})
        return render(request, "people/duplicates/merge_choose.html", context)

    def save(d: dict[str, Any]) -> merging.MergeOutcome:
        choices = {k: v for k, v in d.items() if k != "confirm"}
        try:
            return merging.person_merge(
                actor=request.user,
                keep=keep,
                merge=gone,
                choices=choices,
                confirmed=bool(d.get("confirm")) and may_confirm,
            )
        except ConfirmationNeeded as e:
            raise RuleError(" ".join(e.questions)) from e

    return handle_form(
        request,
        form,
        save,
        done=lambda outcome: saved_then(
            request,
            f"Record {gone.pk} was merged into record {keep.pk}. You can undo this merge from this page",
            "people:merge_detail",
            outcome.merge.pk,
        ),
        page=lambda: render(request, "people/duplicates/merge_choose.html", context),
        once=True,
    )


def _pair_of(keep: Person, gone: Person) -> DuplicateCandidate | None:
    from django.db.models import Q

    return DuplicateCandidate.objects.filter(
        Q(person=keep, possible_match=gone) | Q(person=gone, possible_match=keep)
    ).first()


def _chosen(form: MergeForm) -> list[dict[str, Any]]:
    out = []
    for name, field in form.fields.items():
        if name == "confirm":
            continue
        value = form.cleaned_data.get(name)
        text = dict(field.choices).get(value, "")  # type: ignore[attr-defined]
        out.append({"name": name, "label": field.label, "value": value, "text": text})
    return out


def _merge_for(request: HttpRequest, merge_id: int) -> PersonMerge:
    _require(request)
    findable = access.findable_people(request.user).values("pk")
    merge = (
        PersonMerge.objects.filter(pk=merge_id, survivor_id__in=findable, merged_id__in=findable)
        .select_related("survivor", "merged", "merged_by", "undone_by")
        .first()
    )
    if merge is None:
        raise Http404("No such merge")
    return merge


@login_required
def merge_detail(request: HttpRequest, merge_id: int) -> HttpResponse:
    merge = _merge_for(request, merge_id)
    services.person_view_record(actor=request.user, person=merge.survivor, section="merge")
    moved: dict[str, int] = {}
    for label, n in _moved_counts(merge):
        moved[label] = n
    return render(
        request,
        "people/duplicates/merge_detail.html",
        {
            "merge": merge,
            "moved": moved,
            "changes": merge.changes.count(),
            "left": [] if merge.undone_at else merging.left_with_merged(merge),
            "survivor_now": selectors.RESTRICTED_PERSON,
        },
    )


def _moved_counts(merge: PersonMerge) -> list[tuple[str, int]]:
    from django.db.models import Count

    rows = merge.moves.values("model").annotate(n=Count("pk")).order_by("model")
    return [(merging.rows_called(r["model"]), r["n"]) for r in rows]


class UndoForm(GovForm):
    def __init__(self, *args: Any, items: list[merging.SinceItem], merge: PersonMerge, **kw: Any):
        super().__init__(*args, **kw)
        self.items = items
        for n, item in enumerate(items):
            when = f", recorded {item.when.day} {item.when:%B %Y}" if item.when else ""
            goes_with = list(dict.fromkeys(merging.row_called(w.link_label.rsplit(".", 1)[0]) for w in item.with_it))
            self.fields[f"item_{n}"] = forms.ChoiceField(
                label=f"{item.what}{when}",
                help_text=f"Its {' and '.join(goes_with)} {'goes' if len(item.with_it) == 1 else 'go'} with it"
                if goes_with
                else "",
                choices=[
                    (merging.KEEP, f"It is about {merge.survivor.full_name} (record {merge.survivor_id}): it stays"),
                    (merging.TAKE, f"It is about {merge.merged.full_name} (record {merge.merged_id}): it goes back"),
                ],
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Select whose record this belongs to",
                    "invalid_choice": "Select whose record this belongs to",
                },
            )

    def assignments(self) -> dict[str, str]:
        return {item.key: self.cleaned_data[f"item_{n}"] for n, item in enumerate(self.items)}


@login_required
@require_http_methods(["GET", "POST"])
def merge_undo(request: HttpRequest, merge_id: int) -> HttpResponse:
    merge = _merge_for(request, merge_id)
    if merge.undone_at is not None:
        return saved_then(request, "This merge has already been undone", "people:merge_detail", merge.pk, level=40)
    items = merging.work_since(merge)
    form = UndoForm(request.POST if request.method == "POST" else None, items=items, merge=merge)
    if request.method == "GET":
        services.person_view_record(actor=request.user, person=merge.survivor, section="undo merge")

    def save(d: dict[str, Any]) -> merging.UnmergeOutcome:
        return merging.person_unmerge(actor=request.user, merge=merge, assignments=form.assignments())

    return handle_form(
        request,
        form,
        save,
        done=lambda outcome: saved_then(
            request,
            f"The merge was undone: {merge.merged.full_name} (record {merge.merged_id}) and "
            f"{merge.survivor.full_name} (record {merge.survivor_id}) are separate records again",
            "people:merge_detail",
            merge.pk,
        ),
        page=lambda: render(request, "people/duplicates/merge_undo.html", {"form": form, "merge": merge}),
    )
