"""超大附件 and cloud-drive share links as mail providers, Foxmail, Outlook and the drives' share
texts put them in a body."""
from __future__ import annotations

import pytest

from parsers.largelink import find_large_links, linked_text
from parsers.model import LargeLink

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


# Every provider's notation, as its plain part and its HTML part write it (the share texts are
# the drives' own wording); each case is tried as text only, HTML only and both.
WX_URL = "https://wx.mail.qq.com/ftn/download?func=3&key=9d99e661d02acf1e&code=bffa6c29&k=9d99e661"
FOX_URL = ("https://mail.foxmail.com/cgi-bin/ftnExs_download?k=3039616497f5a6ce"
           "&t=exs_ftn_download&code=e9adf4e2")
NETEASE_163_URL = "https://mail.163.com/large-attachment-download/index.html?file=djAyZG1meTh2"
YEAH_URL = "https://mail.yeah.net/large-attachment-download/index.html?p=X66gH78&file=f6"
QIYE_URL = "https://fs.qiye.163.com/fs/display/?p=X-NETEASE-HUGE-ATTACHMENT&file=iQ1wm60-iGe9IRvo"
COREMAIL_URL = ("https://mail.example.cn/coremail/downloadFile.jsp?key=1U31SsvkjqFd-VIyT8jLTe"
                "&code=cv62nuho")
NFFILE_URL = ("https://mail.example.cn/coremail/common/nfFile.jsp?share_link=5418DA3CCDBA48F8"
              "A81AE154DA02C3D5&uid=wang%40example.cn")
XT5_URL = ("https://mail.example.cn/coremail/XT5/jsp/download.jsp?share_link=0C5FF39956D9404A"
           "86F745CC5C752ECF&uid=li%40example.cn")
ONEDRIVE_URL = "https://1drv.ms/v/s!AkEx4mPl3Abc9dEfGhIj?e=Xy12Ab"
LIVE_URL = "https://onedrive.live.com/redir?resid=4006CBB8476FF777%2117887&authkey=%21AAFW2-FVoxe"
SHAREPOINT_URL = ("https://example-my.sharepoint.com/:v:/g/personal/wang_example_cn/"
                  "EbSAY2MxMKxFnoy6eFpJC20Bgi6nFJOj?e=MUhGyH")
SHAREPOINT_CN_URL = ("https://example-my.sharepoint.cn/:u:/g/personal/"
                     "li_example_partner_onmschina_cn/ERJdh3pvdYZOqJWugsnMJKEB?e=TuLWmL")
BAIDU_URL = "https://pan.baidu.com/s/1zuqzhq_OxGjDuN91t9Rn9w?pwd=tpi6"
BAIDU_INIT_URL = "https://pan.baidu.com/share/init?surl=34l7XroOp54A5JfLT8gV0Q"
ALIPAN_URL = "https://www.alipan.com/s/nA2SsWpnxpS"
ALIYUNDRIVE_URL = "https://www.aliyundrive.com/s/QCmJNbUQRPb"
WEIYUN_URL = "https://share.weiyun.com/Ab3dEf9h"


QQ_ICON = "https://rescdn.qqmail.com/zh_CN/htmledition/images/xdisk/ico_mid/fu_mov.gif"


def a(url: str, label: str | None = None) -> str:
    return f'<a href="{url.replace("&", "&amp;")}" target="_blank">{label or url}</a>'


PROVIDER_CASES = {
    "qq-wx": (
        f"从QQ邮箱发来的超大附件\n\n申报视频.mp4 (1.25G, 2026年12月20日 10:00 到期)\n进入下载页面：{WX_URL}\n",
        qq_html(WX_URL, "申报视频.mp4", "1.25G", "2026年12月20日 10:00 到期"),
        LargeLink("申报视频.mp4", WX_URL, "2026-12-20 10:00", round(1.25 * G), "qq")),
    "exmail": (
        f"从腾讯企业邮箱发来的超大附件\n\n现场照片.zip (65.38M, 2026年12月21日 09:30 到期)\n"
        f"进入下载页面：{EXMAIL_URLS[0]}\n",
        qq_html(EXMAIL_URLS[0], "现场照片.zip", "65.38M", "2026年12月21日 09:30 到期", "腾讯企业邮箱"),
        LargeLink("现场照片.zip", EXMAIL_URLS[0], "2026-12-21 09:30", round(65.38 * M), "exmail")),
    # Foxmail writes its own HTML (a fox_html_content wrapper, a table) around a QQ 文件中转站 link.
    "foxmail": (
        f"您好，现场视频较大，以超大附件发送。\n\n从Foxmail发来的超大附件\n现场视频.mov (820.5M)\n"
        f"过期时间：2026-12-20 18:00\n下载地址：{FOX_URL}\n",
        f"""<style class="fox_global_style">div.fox_html_content {{ line-height: 1.5; }}</style>
<div class="fox_html_content"><div>您好，现场视频较大，以超大附件发送。</div>
<table style="border:1px solid #d4dde6"><tr><td colspan="2"><b>从Foxmail发来的超大附件</b></td></tr>
<tr><td>{a(FOX_URL, f'<img src="{QQ_ICON}">')}</td>
<td>{a(FOX_URL, "现场视频.mov")}<br><span>大小：820.5M</span>&nbsp;<span>过期时间：2026-12-20 18:00</span>
</td></tr></table></div>""",
        LargeLink("现场视频.mov", FOX_URL, "2026-12-20 18:00", round(820.5 * M), "qq")),
    # The real 163 block also links 推荐客户端极速下载 to u.163.com, which is no file.
    "163": (
        f"从网易163邮箱发来的超大附件\n调研访谈.wav (80.96M, 2026年8月17日 0:49 到期)\n"
        f"下载：{NETEASE_163_URL}\n",
        f"""<div style="padding:4px"><div><b>从网易163邮箱发来的超大附件</b>
<a class="bigattach-mailmaster-download"
   href="http://u.163.com/RcUwvU56g?spm=pos.free_webmail_1">推荐客户端极速下载</a></div>
<div><div style="float:left;width:36px">{a(NETEASE_163_URL, "")}</div>
<div>{a(NETEASE_163_URL, "调研访谈.wav")}
<span style="color:#bbb"> (80.96M, 2026年8月17日 0:49 到期)</span></div>
<div>{a(NETEASE_163_URL, "下载")}</div></div></div>""",
        LargeLink("调研访谈.wav", NETEASE_163_URL, "2026-08-17 00:49", round(80.96 * M), "163")),
    "126": (
        f"从网易126邮箱发来的超大附件：\n案例汇编.zip (35.20 MB)\n下载地址：{NETEASE_126_URL}\n"
        "到期时间：2026-12-20 23:59\n",
        NETEASE_126_HTML,
        LargeLink("案例汇编.zip", NETEASE_126_URL, "2026-12-20 23:59", round(35.2 * M), "126")),
    "yeah": (
        f"从网易yeah.net邮箱发来的超大附件\n宣传片.mp4 (2.1G, 2026年12月20日 12:00 到期)\n{YEAH_URL}\n",
        f"<div><b>从网易yeah.net邮箱发来的超大附件</b></div><div>{a(YEAH_URL, '宣传片.mp4')}"
        "<span> (2.1G, 2026年12月20日 12:00 到期)</span></div>",
        LargeLink("宣传片.mp4", YEAH_URL, "2026-12-20 12:00", round(2.1 * G), "yeah")),
    "qiye163": (
        f"从网易企业邮箱发来的超大附件\n成员名单.xlsx (12.0M, 2026年12月20日 10:00 到期)\n{QIYE_URL}\n",
        f"<div><b>从网易企业邮箱发来的超大附件</b></div><div>{a(QIYE_URL, '成员名单.xlsx')}"
        "<span> (12.0M, 2026年12月20日 10:00 到期)</span></div>",
        LargeLink("成员名单.xlsx", QIYE_URL, "2026-12-20 10:00", round(12.0 * M), "qiye163")),
    "coremail-large": (
        f"您好，以下文件以超大附件发送：\n调研报告.pdf (156.2M) 有效期至2026-12-20\n{COREMAIL_URL}\n",
        f"<p>您好，以下文件以超大附件发送：</p><table><tr><td>{a(COREMAIL_URL, '调研报告.pdf')}</td>"
        "<td>156.2M</td><td>有效期至2026-12-20</td></tr></table>",
        LargeLink("调研报告.pdf", COREMAIL_URL, "2026-12-20", round(156.2 * M), "coremail")),
    "coremail-share": (
        f"文件：案例视频.mp4\n链接: {NFFILE_URL}\n密码: M6PZ\n",
        f"<div>文件：案例视频.mp4</div><div>链接: {a(NFFILE_URL)}</div><div>密码: M6PZ</div>",
        LargeLink("案例视频.mp4", NFFILE_URL, provider="coremail", code="M6PZ")),
    "coremail-xt5": (
        f"网盘文件：照片集.zip\n链接:{XT5_URL}\n提取码:h3dd\n",
        f"<p>网盘文件：照片集.zip<br>链接:{a(XT5_URL)}<br>提取码:h3dd</p>",
        LargeLink("照片集.zip", XT5_URL, provider="coremail", code="h3dd")),
    "onedrive": (
        f"王晓明 已与你共享 OneDrive 文件\n\n现场视频.mp4\n\n打开：{ONEDRIVE_URL}\n",
        f"<table><tr><td>王晓明 已与你共享 OneDrive 文件</td></tr><tr><td>{a(ONEDRIVE_URL, '现场视频.mp4')}"
        f"</td></tr><tr><td>{a(ONEDRIVE_URL, '打开')}</td></tr></table>",
        LargeLink("现场视频.mp4", ONEDRIVE_URL, provider="onedrive")),
    "onedrive-live": (
        f"Wang Xiaoming shared a file with you\n\n申报材料.rar\n{LIVE_URL}\n",
        f"<p>Wang Xiaoming shared a file with you</p><p>{a(LIVE_URL, '申报材料.rar')}</p>",
        LargeLink("申报材料.rar", LIVE_URL, provider="onedrive")),
    "sharepoint": (
        f"王晓明 已与你共享 现场视频.mp4\n{SHAREPOINT_URL}\n",
        f"<p>王晓明 已与你共享 {a(SHAREPOINT_URL, '现场视频.mp4')}</p>",
        LargeLink("现场视频.mp4", SHAREPOINT_URL, provider="sharepoint")),
    "sharepoint-cn": (
        f"申报视频.mp4 已共享：{SHAREPOINT_CN_URL} 密码：Qx7k2m\n",
        f"<p>申报视频.mp4 已共享：{a(SHAREPOINT_CN_URL)} 密码：Qx7k2m</p>",
        LargeLink("申报视频.mp4", SHAREPOINT_CN_URL, provider="sharepoint", code="Qx7k2m")),
    "baidu": (
        f"通过百度网盘分享的文件：申报视频.mp4\n链接：{BAIDU_URL} \n提取码：tpi6\n--来自百度网盘超级会员v5的分享",
        f"<div>通过百度网盘分享的文件：申报视频.mp4</div><div>链接：{a(BAIDU_URL)}</div><div>提取码：tpi6</div>",
        LargeLink("申报视频.mp4", BAIDU_URL, provider="baidu", code="tpi6")),
    "baidu-init": (
        f"链接: {BAIDU_INIT_URL} 提取码: qku6 复制这段内容后打开百度网盘手机App，操作更方便哦",
        f"<p>链接: {a(BAIDU_INIT_URL)} 提取码: qku6 复制这段内容后打开百度网盘手机App，操作更方便哦</p>",
        LargeLink("", BAIDU_INIT_URL, provider="baidu", code="qku6")),
    "alipan": (
        f"「现场照片.zip」{ALIPAN_URL}\n提取码: 5e5d\n点击链接保存，或者复制本段内容，打开「阿里云盘」APP ，"
        "无需下载极速在线查看，视频原画倍速播放。",
        f"<p>「现场照片.zip」{a(ALIPAN_URL)}<br>提取码: 5e5d<br>点击链接保存，或者复制本段内容，打开「阿里云盘」APP</p>",
        LargeLink("现场照片.zip", ALIPAN_URL, provider="aliyun", code="5e5d")),
    "aliyundrive": (
        f"我用阿里云盘分享了「宣传片.mp4」，你可以不限速下载 复制这段内容打开「阿里云盘」App 即可获取\n"
        f"链接：{ALIYUNDRIVE_URL}\n提取码: r96v",
        f"<p>我用阿里云盘分享了「宣传片.mp4」，你可以不限速下载</p><p>链接：{a(ALIYUNDRIVE_URL)}</p>"
        "<p>提取码: r96v</p>",
        LargeLink("宣传片.mp4", ALIYUNDRIVE_URL, provider="aliyun", code="r96v")),
    "weiyun": (
        f"文件名：申报材料.7z\n链接：{WEIYUN_URL} 密码：8k2m7q\n",
        f"<p>文件名：申报材料.7z<br>链接：{a(WEIYUN_URL)} 密码：8k2m7q</p>",
        LargeLink("申报材料.7z", WEIYUN_URL, provider="weiyun", code="8k2m7q")),
}


@pytest.mark.parametrize("form", ["text", "html", "both"])
@pytest.mark.parametrize("case", PROVIDER_CASES)
def test_each_provider_in_either_part_or_both_is_one_link(case, form):
    text, html, expected = PROVIDER_CASES[case]
    body = {"text": (text, ""), "html": ("", html), "both": (text, html)}[form]
    assert find_large_links(*body) == (expected,)


def test_the_code_in_the_address_is_the_same_link_as_without_it():
    """GIVEN the text writing ?pwd= into the address and the HTML not WHEN both are read THEN
    one link, with the code."""
    bare = BAIDU_URL.split("?")[0]
    html = f"<p>链接：{a(bare)} 提取码：tpi6</p>"
    assert find_large_links(f"链接：{BAIDU_URL}", html) == (
        LargeLink("", BAIDU_URL, provider="baidu", code="tpi6"),)


def test_a_code_only_in_the_address_is_found():
    (link,) = find_large_links("链接：https://pan.baidu.com/s/1cxv2Rw5WgXrnE-kfyfkpxA?pwd=k2hk", "")
    assert (link.provider, link.code) == ("baidu", "k2hk")


def test_each_code_is_the_one_below_its_own_link():
    text = ("链接：https://pan.baidu.com/s/1EtrVyxDlimzk_JtO-LGcfQ\n提取码：aaa1\n"
            "链接：https://pan.baidu.com/s/1N_An5GIKq5kdqBe-fpLIRA\n提取码：bbb2\n")
    assert [link.code for link in find_large_links(text, "")] == ["aaa1", "bbb2"]


def test_an_archive_password_is_no_access_code():
    (link,) = find_large_links(f"视频见网盘：{WEIYUN_URL}\n解压密码：2024\n", "")
    assert link.code == ""


def test_a_mail_providers_code_parameter_is_no_access_code():
    (link,) = find_large_links(f"从QQ邮箱发来的超大附件\n视频.mp4\n{QQ_URL}\n密码：abcd", "")
    assert (link.provider, link.code) == ("qq", "")


def test_a_link_in_quoted_reply_text_still_counts_once():
    """Quoted text is not told apart (a reply quoting the applicant's own mail still names the
    file to download): the quoted link is found, once for both parts."""
    text = f"好的，收到。\n\n> 链接：{ALIPAN_URL}\n> 提取码: 5e5d\n"
    html = f"<p>好的，收到。</p><blockquote>链接：{a(ALIPAN_URL)}<br>提取码: 5e5d</blockquote>"
    assert find_large_links(text, html) == (
        LargeLink("", ALIPAN_URL, provider="aliyun", code="5e5d"),)


@pytest.mark.parametrize("text, html", [
    # A drive's home page, download page or app page is no share.
    ("资料请上传至百度网盘 https://pan.baidu.com/ 或 https://pan.baidu.com/disk/home 后告知", ""),
    ("", '<p>下载百度网盘客户端：<a href="https://pan.baidu.com/download">这里</a></p>'),
    ("", '<p><a href="https://www.aliyundrive.com/">阿里云盘</a> '
         '<a href="https://www.weiyun.com/">微云</a></p>'),
    # A newsletter's links: OneDrive's and a tenant's site pages, an ordinary page.
    ("", '<p>本期简报 <a href="https://onedrive.live.com/about/zh-cn/">了解 OneDrive</a> '
         '<a href="https://example.sharepoint.com/sites/news/SitePages/Home.aspx">门户</a> '
         '<a href="https://www.example.com/newsletter?issue=12">超大附件使用指南</a></p>'),
    # NetEase's 推荐客户端极速下载 link and a Coremail mailbox's own pages.
    ("从网易163邮箱发来的超大附件 推荐客户端极速下载 http://u.163.com/RcUwvU56g?spm=pos.free", ""),
    ("登录 https://mail.example.cn/coremail/XT5/index.jsp?sid=BAIgjivvnvr 查看附件", ""),
    # An image's address is no link the applicant sent.
    ("", '<p><img src="https://pan.baidu.com/s/1zuqzhq_OxGjDuN91t9Rn9w"></p>'),
])
def test_drive_pages_newsletters_and_images_are_no_large_links(text, html):
    assert find_large_links(text, html) == ()
