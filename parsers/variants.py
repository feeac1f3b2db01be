"""Traditional characters as applicants type labels (單位名稱, 聯繫電話), folded to simplified.

Only label matching uses this: a value is kept as the applicant wrote it. The table covers the
characters of the notices' labels, prompts and options that have a traditional form, plus the
common ones around them; it is data, checked by a test against every profile's labels.
"""
from __future__ import annotations

_PAIRS = (
    "單单 稱称 聯联 繫系 係系 話话 郵邮 簡简 報报 題题 類类 別别 機机 業业 薦荐 實实 屬属 規规 職职"
    " 務务 營营 總总 資资 產产 負负 責责 電电 們们 請请 獎奖 項项 證证 書书 見见 蓋盖 簽签 園园 區区"
    " 發发 環环 創创 礎础 設设 際际 應应 場场 構构 戶户 會会 員员 國国 級级 長长 門门 這这 個个 為为"
    " 對对 時时 間间 節节 約约 綠绿 關关 鍵键 細细 經经 濟济 開开 術术 質质 圍围 縣县 鄉乡 鎮镇 統统"
    " 計计 劃划 織织 組组 傳传 輸输 軟软 備备 網网 絡络 車车 輛辆 運运 護护 衛卫 視视 頻频 圖图 掃扫"
    " 鏈链 協协 議议 預预 則则 標标 準准 審审 認认 導导 師师 評评 價价 選选 擇择 勢势 覽览 內内 詳详"
    " 細细 註注 說说 續续 號号 齡龄 歷历 屆届 團团 黨党 廣广 東东 雲云 貴贵 陝陕 寧宁 遼辽 嶺岭 灣湾"
    " 瀋沈 蘇苏 廈厦 門门 閩闽 滬沪 臺台 萬万 億亿 與与 兩两 據据 數数 稅税 額额 銷销 廠厂 礦矿 鋼钢"
    " 鐵铁 電电 氣气 熱热 燃燃 煙烟 塵尘 廢废 舊旧 綜综 碳碳 態态 優优 勵励 權权 專专 利利 顧顾 問问"
    " 執执 照照 稱称 軸轴 圓圆 紀纪 錄录 體体 驗验 測测 報报 總总 結结 範范 圍围 複复 製制 週周"
)
_TABLE = str.maketrans({pair[0]: pair[1] for pair in _PAIRS.split()})


def simplified(text: str) -> str:
    """`text` with every traditional character of the table in its simplified form."""
    return text.translate(_TABLE)
