"""Pages a signed-in user sees and every download carry Cache-Control: no-store; typed text loses NUL."""

from django.urls import reverse

from dangjian.lib.web import safe_filename


def test_it_forbids_caching_a_page_with_personal_data(world, client):
    client.force_login(world.secretary)
    response = client.get(reverse("member_detail", args=[world.member_a.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


def test_it_forbids_caching_an_export(world, client):
    client.force_login(world.secretary)
    response = client.get(reverse("member_export"), {"org": world.community.pk})
    assert response.has_header("Content-Disposition") and "no-store" in response["Cache-Control"]


def test_it_names_a_download_without_folders_or_a_leading_formula_sign():
    assert safe_filename('=HYPERLINK("x")/../名册.xlsx') == 'HYPERLINK(_x_)_.._名册.xlsx'


def test_it_drops_nul_characters_from_a_search(world, client):
    client.force_login(world.secretary)
    response = client.get(reverse("member_list"), {"q": "张\x00三"})
    assert response.status_code == 200 and response.wsgi_request.GET["q"] == "张三"
