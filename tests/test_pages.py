"""Server-rendered owner pages: Chinese queries drawn with a CJK font, never as boxes."""

from __future__ import annotations

import shutil
import subprocess
import warnings

import pytest

from shopseek.service import pages


def has_cjk_font() -> bool:
    """True when Debian's fonts-noto-cjk is installed (`.ci/run` installs it)."""
    if shutil.which("fc-list") is None:
        return False
    return "Noto Sans CJK" in subprocess.run(["fc-list"], capture_output=True, text=True, check=False).stdout


@pytest.mark.skipif(not has_cjk_font(), reason="needs fonts-noto-cjk (apt-get install fonts-noto-cjk)")
def test_chinese_queries_render_in_the_charts() -> None:
    data = {
        "top_queries": [{"query": "红色衬衫", "shoppers": 3}, {"query": "phone", "shoppers": 2}],
        "zero_result_queries": [{"query": "蓝色牛仔裤", "shoppers": 1}],
        "ctr_by_query": [],
        "searches_per_day": [],
        "ctr_per_day": [],
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        html = pages.analytics_page(data)
    assert "data:image/png;base64" in html and "红色衬衫" in html
    assert not [w for w in caught if "missing from font" in str(w.message)]
