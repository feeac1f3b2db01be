"""超大附件 links as QQ Mail, Tencent Exmail, NetEase and 139 Mail put them in a body."""
from __future__ import annotations

import pytest

from parsers.largelink import find_large_links, linked_text
from rules.types import LargeLink

M, G, K = 1 << 20, 1 << 30, 1 << 10
QQ_URL = "https://mail.qq.com/cgi-bin/ftnExs_download?k=2a6530a1c3e4&t=exs_ftn_download&code=7d4f"
EXMAIL_URLS = ("https://exmail.qq.com/cgi-bin/ftnExs_download?k=0e4e2c&t=exs_ftn_download&code=a1",
               "https://exmail.qq.com/cgi-bin/ftnExs_download?k=77b1f0&t=exs_ftn_download&code=b2")
NETEASE_URLS = ("https://mail.163.com/large-attachment-download/index.html?p=X66aB12&file=c3",
                "https://mail.163.com/large-attachment-download/index.html?p=X66cD34&file=d4")


def qq_html(url: str, name: str, size: str, expiry: str, brand: str = "QQ邮箱") -> str:
    """The block QQ Mail and Exmail append to the HTML body for one 超大附件."""
    href = url.replace("&", "&amp;")
    return f"""
<div style="width:auto;border:1px solid #e3e3e3;background:#f7f7f7">
  <div style="padding:8px 12px;font-weight:bold">从{brand}发来的超大附件</div>
  <div style="padding:6px 12px;background:#fff">
    <div style="float:left;width:40px"><a href="{href}" target="_blank">
      <img src="https://rescdn.qqmail.com/zh_CN/htmledition/images/xdisk/ico_mid/fu_zip.gif"
           border="0"></a></div>
    <div><a href="{href}" target="_blank" style="color:#000">{name}</a>
      <span style="color:#a0a0a0">&nbsp;({size}, {expiry})</span></div>
    <div><a href="{href}" target="_blank">进入下载页面</a>：如果不能点击此链接，请复制到浏览器中访问。</div>
  </div>
</div>"""


QQ_TEXT = f"""您好，附件为申报材料，视频较大，以超大附件发送。

从QQ邮箱发来的超大附件

宣传视频.mp4 (356.80M, 2026年12月20日 10:00 到期)
进入下载页面：{QQ_URL}
"""

NETEASE_TEXT = f"""从网易163邮箱发来的超大附件：
申报视频.mp4 (1.2G)
下载地址：{NETEASE_URLS[0]}
到期时间：2026年12月20日
现场照片.zip (800K)
下载地址：{NETEASE_URLS[1]}
到期时间：2026年12月21日
"""

NETEASE_126_URL = "https://mail.126.com/large-attachment-download/index.html?p=X66eF56&file=e5"
NETEASE_126_HTML = f"""<table style="border:1px solid #ccc">
<tr><td colspan="3"><b>从网易126邮箱发来的超大附件</b></td></tr>
<tr><td><img src="https://mimg.126.net/hxm/images/icons/zip.png"></td>
<td>案例汇编.zip <span>(35.20 MB)</span></td>
<td>到期时间：2026-12-20 23:59 <a href="{NETEASE_126_URL.replace("&", "&amp;")}">下载</a></td>
</tr></table>"""

DASHI_TEXT = """通过网易邮箱大师发送的超大附件：
申报材料.rar  (1.5 GB)  30天后过期
http://dashi.163.com/html/cloud_attachment/download.html?key=3f9c8e
"""

CAIYUN_HTML = """<div>您收到一封带有超大附件的邮件（139邮箱）</div>
<div>文件名：汇报材料.pptx&nbsp;&nbsp;大小：12.5M</div>
<div>有效期至2026年12月20日</div>
<div><a href="https://caiyun.139.com/m/i?0a5CmP7gWv3kG">点击下载</a></div>"""


def test_qq_in_text_and_html_is_one_link_with_everything():
    html = "<div>您好，附件为申报材料。</div>" + qq_html(QQ_URL, "宣传视频.mp4", "356.80M",
                                                      "2026年12月20日 10:00 到期")
    assert find_large_links(QQ_TEXT, html) == (
        LargeLink("宣传视频.mp4", QQ_URL, "2026-12-20 10:00", round(356.80 * M), "qq"),)


def test_exmail_html_with_two_files():
    html = (qq_html(EXMAIL_URLS[0], "申报书.docx", "55.10M", "2026年12月20日 10:00 到期", "腾讯企业邮箱")
            + qq_html(EXMAIL_URLS[1], "视频.mov", "1.02G", "2026年12月21日 09:30 到期", "腾讯企业邮箱"))
    links = find_large_links("", html)
    assert [(x.name, x.url, x.expires, x.size, x.provider) for x in links] == [
        ("申报书.docx", EXMAIL_URLS[0], "2026-12-20 10:00", round(55.10 * M), "exmail"),
        ("视频.mov", EXMAIL_URLS[1], "2026-12-21 09:30", round(1.02 * G), "exmail")]


def test_netease_text_with_the_expiry_below_each_link():
    assert find_large_links(NETEASE_TEXT, "") == (
        LargeLink("申报视频.mp4", NETEASE_URLS[0], "2026-12-20", round(1.2 * G), "163"),
        LargeLink("现场照片.zip", NETEASE_URLS[1], "2026-12-21", 800 * K, "163"))


def test_netease_126_html_table():
    (link,) = find_large_links("", NETEASE_126_HTML)
    assert link == LargeLink("案例汇编.zip", NETEASE_126_URL, "2026-12-20 23:59", round(35.2 * M),
                             "126")


def test_relative_expiry_keeps_its_words():
    (link,) = find_large_links(DASHI_TEXT, "")
    assert (link.name, link.size, link.expires, link.provider) == (
        "申报材料.rar", round(1.5 * G), "30天后过期", "163")


def test_139_cloud_link():
    assert find_large_links("", CAIYUN_HTML) == (LargeLink(
        "汇报材料.pptx", "https://caiyun.139.com/m/i?0a5CmP7gWv3kG", "2026-12-20", round(12.5 * M),
        "139"),)


@pytest.mark.parametrize("text, html", [
    ("您好，附件是申报材料，共3个附件，请查收。", ""),
    ("通知见 https://www.example.org/notice.html?id=3 ，附件请按要求命名。", ""),
    ("", '<p>附件已上传，详见<a href="https://www.example.com/files?id=1">这里</a>（12.5M）</p>'),
    # A 139 signature and an ordinary QQ Mail page are no download links.
    ("王晓明\n来自139邮箱 https://www.139.com/?from=sign_v2\n", ""),
    ("请登录 https://mail.qq.com/cgi-bin/frame_html?sid=abc 查看附件", ""),
])
def test_ordinary_bodies_have_no_large_links(text, html):
    assert find_large_links(text, html) == ()


def test_the_5g_in_a_file_name_is_not_its_size():
    text = f"从QQ邮箱发来的超大附件\n5G应用案例.mp4\n进入下载页面：{QQ_URL}"
    (link,) = find_large_links(text, "")
    assert (link.name, link.size, link.expires) == ("5G应用案例.mp4", None, "")


def test_linked_text_writes_the_address_before_the_label():
    assert linked_text('<p><a href="https://a.example.com/x?a=1&amp;b=2">下载</a></p>') == (
        "https://a.example.com/x?a=1&b=2 下载")
