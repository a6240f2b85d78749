from datetime import date

from hbmm.accounts.scope import Scope, user_scope
from hbmm.places.models import AdminArea
from hbmm.places.selectors import area_choices
from hbmm.presentation.figures import Figure
from hbmm.reports import registry
from hbmm.reports.registry import Context, Section, SectionResult, build_sections


def test_sections_are_ordered_and_filtered_by_permission(make_user, extra_sections):
    extra_sections(
        Section(key="t.first", title="First", order=1, build=lambda ctx: SectionResult())
    )
    extra_sections(
        Section(
            key="t.secret",
            title="Secret",
            order=2,
            permission="accounts.view_auditevent",
            build=lambda ctx: SectionResult(),
        )
    )
    viewer = make_user("viewer", areas=["MLI"])
    keys = [s.key for s in registry.sections_for(viewer)]
    assert keys[0] == "t.first"
    assert "t.secret" not in keys and "places" in keys
    admin = make_user("admin", areas=["MLI"])
    assert [s.key for s in registry.sections_for(admin)][:2] == ["t.first", "t.secret"]


def test_default_date_is_the_latest_data(make_user, extra_sections):
    viewer = make_user("viewer", areas=["MLI"])
    assert registry.latest_data_date(viewer, user_scope(viewer)) is None
    extra_sections(
        Section(
            key="t.a",
            title="A",
            build=lambda ctx: SectionResult(),
            latest=lambda scope: date(2020, 5, 15),
        )
    )
    extra_sections(
        Section(key="t.b", title="B", build=lambda ctx: SectionResult(), latest=lambda scope: None)
    )
    assert registry.latest_data_date(viewer, user_scope(viewer)) == date(2020, 5, 15)


def test_build_passes_the_context(make_user, extra_sections):
    seen = {}

    def build(ctx):
        seen["ctx"] = ctx
        return SectionResult(figures=[Figure(key="x", label="X", value=1)])

    extra_sections(Section(key="t.ctx", title="Ctx", order=0, build=build))
    viewer = make_user("viewer", areas=["MLI"])
    outputs = build_sections(Context.of(viewer, as_of=date(2020, 5, 15)))
    assert outputs[0].key == "t.ctx" and outputs[0].result.has_data
    assert seen["ctx"].as_of == date(2020, 5, 15)
    assert SectionResult.empty("nothing").has_data is False


def test_scope_narrowed_to_an_area(reference, site):
    kayes = AdminArea.objects.get(pcode="ML01")
    cercle = AdminArea.objects.get(pcode="ML0103")
    national = Scope(is_national=True, area_paths=(), site_ids=frozenset())
    assert national.narrow(kayes) == Scope(False, ("MLI/ML01/",), frozenset())
    # A user of one cercle narrowed to its region keeps the cercle only.
    of_cercle = Scope(False, ("MLI/ML01/ML0103/",), frozenset())
    assert of_cercle.narrow(kayes).area_paths == ("MLI/ML01/ML0103/",)
    # A user of the region narrowed to one cercle gets the cercle.
    of_region = Scope(False, ("MLI/ML01/",), frozenset())
    assert of_region.narrow(cercle).area_paths == ("MLI/ML01/ML0103/",)
    # Sites are kept only when they lie in the area; another region leaves nothing.
    diboli, sona = site("BCP-DIBOLI"), site("BCP-SONA")
    of_sites = Scope(False, (), frozenset({diboli.pk, sona.pk}))
    assert of_sites.narrow(kayes).site_ids == frozenset({diboli.pk})
    sikasso = AdminArea.objects.get(pcode="ML03")
    assert of_region.narrow(sikasso).is_empty


def test_context_of_a_user_narrows_their_scope_not_the_user(make_user, area):
    user = make_user("viewer", areas=["MLI"])
    ctx = Context.of(user, as_of=date(2020, 5, 15), area=area("ML01"))
    assert ctx.scope.area_paths == ("MLI/ML01/",) and ctx.user is user
    assert user_scope(user).is_national
    assert Context.of(user, as_of=date(2020, 5, 15)).scope.is_national


def test_areas_offered_follow_the_scope(make_user):
    def offered(user):
        return [a.pcode for a in area_choices(scope=user_scope(user))]

    assert len(offered(make_user("viewer", areas=["MLI"]))) == 10
    assert offered(make_user("viewer", areas=["ML0103"])) == ["ML01"]
    assert offered(make_user("viewer", sites=["BCP-SONA"])) == ["ML03"]
    assert offered(make_user("viewer")) == []
