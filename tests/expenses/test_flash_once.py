"""Issue 13: a success message is shown once, not by the layout and again by the page's fragment."""

from io import BytesIO

import expense_helpers as h


def test_submitting_a_claim_says_so_once(login, users):
    rep1 = login("rep1")
    today = h.today_local().isoformat()
    data = {"title": "客户拜访", "promotion_id": "0", "action": "submit", "lines-0-category": "travel",
            "lines-0-spent_on": today, "lines-0-amount": "120", "lines-0-description": "高铁",
            "receipts": (BytesIO(h.PNG), "fapiao.png")}
    response = rep1.post("/expenses/claims/new", data=data, content_type="multipart/form-data",
                         follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.history, page[-2000:]
    assert page.count("报销单已提交审批") == 1
