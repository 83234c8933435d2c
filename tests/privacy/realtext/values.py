"""Value generators for the real-text corpus, each valid by an independent rule.

Checksums come from python-stdnum where it has them (US SSN, IBAN, mainland resident
ID, Luhn) and from the published algorithms otherwise (HKID, Taiwan ID, UK NINO
prefixes, UPU S10 tracking numbers); phone numbers are checked with ``phonenumbers``.
None of this reads the SDK's detectors.
"""

from __future__ import annotations

import random
import re
import string
from dataclasses import dataclass
from datetime import date, timedelta

import phonenumbers
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.cn import ric
from stdnum.us import ssn as std_ssn

# --- checks (also used by the tests) -------------------------------------------------

_HK_LETTER = {c: i for i, c in enumerate(string.ascii_uppercase, 10)}


def hkid_check(prefix: str, digits: str) -> str:
    """The HKID check character for a one- or two-letter prefix and six digits."""
    values = ([36] if len(prefix) == 1 else []) + [_HK_LETTER[c] for c in prefix]
    total = sum(v * w for v, w in zip(values, (9, 8), strict=True))
    total += sum(int(d) * w for d, w in zip(digits, range(7, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return "A" if check == 10 else str(check)


def is_hkid(value: str) -> bool:
    """Whether ``value`` (any of A123456(3), A123456 (3), A1234563) is a valid HKID."""
    m = re.fullmatch(r"([A-Z]{1,2})(\d{6})\s?\(?([0-9A])\)?", value)
    return m is not None and hkid_check(m[1], m[2]) == m[3]


_TW_LETTER = dict(
    zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36), strict=True)
)  # the official order: I, O come last, W and Z swap with X, Y


def is_taiwan_id(value: str) -> bool:
    """Whether ``value`` is a valid Taiwan national identification number."""
    if not re.fullmatch(r"[A-Z][12]\d{8}", value):
        return False
    code = _TW_LETTER[value[0]]
    total = code // 10 + (code % 10) * 9
    total += sum(int(d) * w for d, w in zip(value[1:9], range(8, 0, -1), strict=True))
    return (total + int(value[9])) % 10 == 0


_NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ"
_NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"
_NINO_BAD_PREFIX = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}


def is_nino(value: str) -> bool:
    """Whether ``value`` follows HMRC's rules for a National Insurance number."""
    v = value.replace(" ", "")
    return bool(
        re.fullmatch(r"[A-Z]{2}\d{6}[A-D]", v)
        and v[0] in _NINO_FIRST
        and v[1] in _NINO_SECOND
        and v[:2] not in _NINO_BAD_PREFIX
    )


def s10_check(digits: str) -> str:
    """The UPU S10 check digit of eight serial digits."""
    total = sum(int(d) * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    c = 11 - total % 11
    return "0" if c == 10 else "5" if c == 11 else str(c)


def digits_of(value: str) -> str:
    """Only the ASCII digits of ``value``."""
    return re.sub(r"\D", "", value)


def is_phone(value: str, region: str) -> bool:
    """Whether ``value`` is a valid number in ``region`` (or international)."""
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(value, region))
    except phonenumbers.NumberParseException:
        return False


# --- Chinese numerals ----------------------------------------------------------------

CN_DIGITS = "零一二三四五六七八九"
CN_CAPITAL = "零壹贰叁肆伍陆柒捌玖"
_CN_SPOKEN_1 = {"1": "幺"}


def _section(n: int, digits: str, units: tuple[str, str, str]) -> str:
    out, zero = "", False
    for value, unit in ((1000, units[0]), (100, units[1]), (10, units[2]), (1, "")):
        d = n // value % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += digits[0]
            zero = False
        out += digits[d] + unit
    return out


def cn_number(n: int, *, capital: bool = False, liang: bool = False) -> str:
    """``n`` (1..99,999,999) in Chinese numerals: 三千五百, 两万零八十, 壹万贰仟."""
    digits, units = (CN_CAPITAL, ("仟", "佰", "拾")) if capital else (CN_DIGITS, ("千", "百", "十"))
    hi, lo = divmod(n, 10000)
    out = _section(hi, digits, units) + "万" if hi else ""
    if lo:
        if hi and lo < 1000:
            out += digits[0]
        out += _section(lo, digits, units)
    if not capital and out.startswith("一十"):
        out = out[1:]
    if liang:
        out = re.sub("二(?=[千万百])", "两", out)
        out = re.sub("^二$", "两", out)
    return out


def cn_short(n: int) -> str | None:
    """The spoken short form (三千五, 一万二, 两万五) when ``n`` has two leading digits
    and zeros after them; otherwise None."""
    s = str(n)
    if len(s) < 4 or s[0] == "0" or s[1] == "0" or set(s[2:]) != {"0"}:
        return None
    head = cn_number(int(s[0]) * 10 ** (len(s) - 1), liang=True)
    return head + CN_DIGITS[int(s[1])]


# --- pools ----------------------------------------------------------------------------

# (simplified, pinyin, traditional)
SURNAMES = [
    ("张", "zhang", "張"),
    ("王", "wang", "王"),
    ("李", "li", "李"),
    ("刘", "liu", "劉"),
    ("陈", "chen", "陳"),
    ("杨", "yang", "楊"),
    ("黄", "huang", "黃"),
    ("赵", "zhao", "趙"),
    ("吴", "wu", "吳"),
    ("周", "zhou", "周"),
    ("徐", "xu", "徐"),
    ("孙", "sun", "孫"),
    ("马", "ma", "馬"),
    ("朱", "zhu", "朱"),
    ("胡", "hu", "胡"),
    ("郭", "guo", "郭"),
    ("何", "he", "何"),
    ("林", "lin", "林"),
    ("罗", "luo", "羅"),
    ("郑", "zheng", "鄭"),
    ("梁", "liang", "梁"),
    ("谢", "xie", "謝"),
    ("宋", "song", "宋"),
    ("唐", "tang", "唐"),
    ("许", "xu", "許"),
    ("韩", "han", "韓"),
    ("冯", "feng", "馮"),
    ("邓", "deng", "鄧"),
    ("曹", "cao", "曹"),
    ("彭", "peng", "彭"),
    ("曾", "zeng", "曾"),
    ("萧", "xiao", "蕭"),
    ("蔡", "cai", "蔡"),
    ("潘", "pan", "潘"),
    ("袁", "yuan", "袁"),
    ("董", "dong", "董"),
    ("钟", "zhong", "鍾"),
    ("卢", "lu", "盧"),
    ("叶", "ye", "葉"),
    ("龚", "gong", "龔"),
]
GIVEN = [
    ("晓", "xiao", "曉"),
    ("明", "ming", "明"),
    ("伟", "wei", "偉"),
    ("丽", "li", "麗"),
    ("华", "hua", "華"),
    ("军", "jun", "軍"),
    ("国", "guo", "國"),
    ("红", "hong", "紅"),
    ("东", "dong", "東"),
    ("龙", "long", "龍"),
    ("凤", "feng", "鳳"),
    ("杰", "jie", "傑"),
    ("涛", "tao", "濤"),
    ("刚", "gang", "剛"),
    ("辉", "hui", "輝"),
    ("飞", "fei", "飛"),
    ("岚", "lan", "嵐"),
    ("静", "jing", "靜"),
    ("敏", "min", "敏"),
    ("芳", "fang", "芳"),
    ("娜", "na", "娜"),
    ("婷", "ting", "婷"),
    ("磊", "lei", "磊"),
    ("洋", "yang", "洋"),
    ("勇", "yong", "勇"),
    ("强", "qiang", "強"),
    ("平", "ping", "平"),
    ("建", "jian", "建"),
    ("文", "wen", "文"),
    ("斌", "bin", "斌"),
    ("宇", "yu", "宇"),
    ("浩", "hao", "浩"),
    ("鹏", "peng", "鵬"),
    ("琳", "lin", "琳"),
    ("雪", "xue", "雪"),
    ("梅", "mei", "梅"),
    ("兰", "lan", "蘭"),
    ("春", "chun", "春"),
    ("海", "hai", "海"),
    ("波", "bo", "波"),
    ("志", "zhi", "志"),
    ("荣", "rong", "榮"),
    ("秀", "xiu", "秀"),
    ("英", "ying", "英"),
    ("佳", "jia", "佳"),
    ("欣", "xin", "欣"),
    ("怡", "yi", "怡"),
    ("俊", "jun", "俊"),
    ("凯", "kai", "凱"),
    ("锋", "feng", "鋒"),
    ("丹", "dan", "丹"),
    ("颖", "ying", "穎"),
    ("倩", "qian", "倩"),
    ("燕", "yan", "燕"),
    ("霞", "xia", "霞"),
    ("亮", "liang", "亮"),
    ("鑫", "xin", "鑫"),
    ("晨", "chen", "晨"),
    ("阳", "yang", "陽"),
    ("嘉", "jia", "嘉"),
    ("慧", "hui", "慧"),
    ("诗", "shi", "詩"),
    ("涵", "han", "涵"),
    ("轩", "xuan", "軒"),
    ("睿", "rui", "睿"),
    ("晴", "qing", "晴"),
]
MINORITY_FIRST = [
    "阿依古丽",
    "买买提",
    "古丽娜尔",
    "艾尔肯",
    "热依拉",
    "迪丽娜尔",
    "努尔兰",
    "帕提古丽",
    "阿不都热合曼",
    "吐尔逊",
    "热娜",
    "米合日古丽",
    "巴特尔",
    "阿迪力",
    "伊力哈木",
]
MINORITY_SECOND = [
    "买买提",
    "艾力",
    "吐尔逊",
    "阿不都拉",
    "艾山",
    "阿布拉",
    "木拉提",
    "热合曼",
    "吐尔洪",
    "玉素甫",
    "阿木提",
    "哈斯木",
    "额尔敦",
    "司马义",
]
DOTS = ["·", "•", "・", ".", " ", "", "．"]

EN_FIRST = [
    "Michael",
    "Sarah",
    "David",
    "Emma",
    "James",
    "Olivia",
    "Robert",
    "Jennifer",
    "William",
    "Jessica",
    "Laura",
    "Daniel",
    "Emily",
    "Christopher",
    "Rachel",
    "Matthew",
    "Hannah",
    "Andrew",
    "Sophie",
    "Megan",
    "Steven",
    "Rebecca",
    "Brian",
    "Nicole",
    "Gareth",
    "Siobhan",
    "Callum",
    "Aisha",
    "Priya",
    "Tyrone",
    "Luis",
    "Maria",
    "Ahmed",
    "Fatima",
    "Graham",
    "Deborah",
    "Kieran",
    "Natalie",
    "Oluwaseun",
    "Yusuf",
]
EN_LAST = [
    "Johnson",
    "Smith",
    "Williams",
    "Brown",
    "Taylor",
    "Davies",
    "Evans",
    "Wilson",
    "Roberts",
    "Walker",
    "Wright",
    "Thompson",
    "Hughes",
    "Edwards",
    "Harris",
    "Jackson",
    "Clarke",
    "Lewis",
    "Robinson",
    "Patel",
    "Khan",
    "Murphy",
    "O'Brien",
    "Garcia",
    "Rodriguez",
    "Nguyen",
    "Kowalski",
    "Okafor",
    "Fitzgerald",
    "MacDonald",
    "Henderson",
    "Sullivan",
    "Reyes",
    "Bennett",
    "Whitfield",
    "Chaudhry",
    "Abernathy",
    "Delgado",
]
EN_TITLES = ["Mr", "Ms", "Mrs", "Mr.", "Ms."]

CN_PLACES = [
    ("北京市", "", "朝阳区"),
    ("北京市", "", "海淀区"),
    ("上海市", "", "浦东新区"),
    ("上海市", "", "徐汇区"),
    ("广东省", "深圳市", "南山区"),
    ("广东省", "广州市", "天河区"),
    ("浙江省", "杭州市", "西湖区"),
    ("江苏省", "南京市", "鼓楼区"),
    ("四川省", "成都市", "武侯区"),
    ("湖北省", "武汉市", "洪山区"),
    ("山东省", "青岛市", "市南区"),
    ("河南省", "郑州市", "金水区"),
    ("陕西省", "西安市", "雁塔区"),
    ("福建省", "厦门市", "思明区"),
    ("湖南省", "长沙市", "岳麓区"),
    ("天津市", "", "南开区"),
    ("重庆市", "", "渝北区"),
    ("辽宁省", "沈阳市", "和平区"),
    ("安徽省", "合肥市", "蜀山区"),
    ("云南省", "昆明市", "五华区"),
]
CN_ROADS = [
    "文三路",
    "中山路",
    "人民路",
    "解放路",
    "建设路",
    "长江路",
    "黄河路",
    "学院路",
    "科技园南路",
    "望京街",
    "阜通东大街",
    "天河北路",
    "深南大道",
    "南京西路",
    "淮海中路",
    "武侯祠大街",
    "珞喻路",
    "香港中路",
    "花园路",
    "小寨东路",
    "湖滨南路",
    "麓山南路",
    "滨江大道",
    "青年路",
    "友谊大街",
    "长春路",
    "金水东路",
    "北环大道",
]
CN_COMPOUNDS = [
    "阳光花园",
    "金色家园",
    "碧桂园",
    "万科城",
    "幸福里小区",
    "翠苑一区",
    "华星小区",
    "绿城桂花园",
    "保利香槟国际",
    "世纪新城",
    "和谐家园",
    "东方明珠苑",
    "锦绣江南",
    "康桥半岛",
    "丽都花园",
    "龙湖春江郦城",
    "融创御园",
    "泰和小区",
    "南湖新村",
    "梅园新村",
]
CN_BUILDING = ["号楼", "栋", "幢"]

EN_STREETS = [
    "Acacia",
    "Oak",
    "Maple",
    "Elm",
    "Victoria",
    "Station",
    "Church",
    "Park",
    "Highfield",
    "Mill",
    "Kings",
    "Queens",
    "Cedar",
    "Willow",
    "Riverside",
    "Lincoln",
    "Jefferson",
    "Sunset",
    "Lakeview",
    "Beechwood",
]
EN_STREET_TYPES = ["Avenue", "Road", "Street", "Lane", "Drive", "Close", "Way", "Crescent"]
UK_TOWNS = [
    ("Leeds", "LS"),
    ("Manchester", "M"),
    ("Bristol", "BS"),
    ("Cardiff", "CF"),
    ("Glasgow", "G"),
    ("Norwich", "NR"),
    ("Sheffield", "S"),
    ("Reading", "RG"),
]
US_CITIES = [
    ("Springfield", "IL"),
    ("Columbus", "OH"),
    ("Austin", "TX"),
    ("Tacoma", "WA"),
    ("Worcester", "MA"),
    ("Tucson", "AZ"),
    ("Raleigh", "NC"),
    ("Albany", "NY"),
]

RIC_REGIONS = [
    "110101",
    "110105",
    "110108",
    "310101",
    "310104",
    "310115",
    "440305",
    "440106",
    "330106",
    "320106",
    "510107",
    "420111",
    "370202",
    "410105",
    "610113",
    "350203",
    "430104",
    "120104",
    "500112",
    "210102",
    "340104",
    "530102",
]
CN_MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "175",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
]
US_AREAS = [
    "212",
    "213",
    "305",
    "312",
    "415",
    "617",
    "646",
    "702",
    "713",
    "818",
    "917",
    "206",
    "303",
    "404",
    "512",
    "602",
    "718",
    "503",
    "615",
    "919",
]
CN_AREAS = [
    ("010", 8),
    ("021", 8),
    ("020", 8),
    ("0755", 8),
    ("0571", 8),
    ("025", 8),
    ("028", 8),
    ("027", 8),
]
EMAIL_DOMAINS_CN = [
    "163.com",
    "qq.com",
    "126.com",
    "sina.com",
    "foxmail.com",
    "139.com",
    "outlook.com",
    "gmail.com",
    "yeah.net",
    "sohu.com",
]
EMAIL_DOMAINS_EN = [
    "gmail.com",
    "outlook.com",
    "hotmail.co.uk",
    "yahoo.com",
    "icloud.com",
    "btinternet.com",
    "aol.com",
    "protonmail.com",
]
SERVICE_95 = [
    "95588",
    "95533",
    "95599",
    "95566",
    "95555",
    "95559",
    "95595",
    "95568",
    "95188",
    "95017",
    "95528",
    "95561",
]
ZH_LENDERS = [
    ("安信消费金融", "400-820-3366"),
    ("恒信小贷", "400-105-7788"),
    ("瑞丰普惠", "400-660-2299"),
    ("鑫源消费金融", "400-188-6655"),
    ("融达金服", "400-921-5570"),
]
EN_LENDERS = [
    ("Northbridge Lending", "0800 046 1234"),
    ("Harbour Credit", "+44 20 7946 0321"),
    ("Summit Finance", "1-800-432-7781"),
    ("Pinecrest Loans", "(888) 204-6639"),
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


# --- generators -----------------------------------------------------------------------


@dataclass
class CnAddress:
    """A mainland address broken into its parts."""

    province: str
    city: str
    district: str
    road: str
    number: int
    compound: str
    building: int
    bsuffix: str
    unit: int
    floor: int
    room: int
    with_floor: bool

    @property
    def prefix(self) -> str:
        """Province, city and district."""
        return f"{self.province}{self.city}{self.district}"

    @property
    def street(self) -> str:
        """Road and number: 文三路478号."""
        return f"{self.road}{self.number}号"

    def inner(self, *, cn: bool = False, room_suffix: bool = True) -> str:
        """Compound, building, unit (floor) and room."""
        b = cn_number(self.building) if cn else str(self.building)
        u = cn_number(self.unit) if cn else str(self.unit)
        floor = f"{self.floor}层" if self.with_floor else ""
        room = f"{self.room}室" if room_suffix else str(self.room)
        return f"{self.compound}{b}{self.bsuffix}{u}单元{floor}{room}"

    def registered(self) -> str:
        """As registered: every part, Arabic numerals, 室."""
        return f"{self.prefix}{self.street}{self.inner()}"


@dataclass
class EnAddress:
    """A UK or US street address."""

    flat: str
    number: int
    street: str
    town: str
    code: str
    uk: bool

    @property
    def line(self) -> str:
        """Number and street: 27 Acacia Avenue."""
        return f"{self.number} {self.street}"

    def registered(self) -> str:
        """As registered."""
        if self.uk:
            return f"Flat {self.flat}, {self.line}, {self.town} {self.code}"
        return f"{self.line} Apt {self.flat}, {self.town} {self.code}"


class Gen:
    """Seeded generators of valid values."""

    def __init__(self, rng: random.Random) -> None:
        self.r = rng

    def digits(self, n: int, first: str = "0123456789") -> str:
        """``n`` random digits, the first from ``first``."""
        return self.r.choice(first) + "".join(self.r.choice(string.digits) for _ in range(n - 1))

    # people
    def cn_name(self, *, trad_differs: bool = False) -> tuple[str, str, str, str]:
        """(surname, given, pinyin, traditional full name); given has two characters."""
        while True:
            s = self.r.choice(SURNAMES)
            g = self.r.sample(GIVEN, 2)
            trad = s[2] + g[0][2] + g[1][2]
            simp = s[0] + g[0][0] + g[1][0]
            if not trad_differs or trad != simp:
                return s[0], g[0][0] + g[1][0], s[1] + g[0][1] + g[1][1], trad

    def minority_name(self) -> tuple[str, str]:
        """The two parts of a minority name."""
        first = self.r.choice(MINORITY_FIRST)
        second = self.r.choice([x for x in MINORITY_SECOND if x != first])
        return first, second

    def dob(self) -> date:
        """A birth date, 1962-2002."""
        return date(1962, 1, 1) + timedelta(days=self.r.randrange(0, 40 * 365))

    # numbers
    def resident_id(self, born: date) -> str:
        """A valid 18-digit mainland resident ID."""
        while True:
            body = self.r.choice(RIC_REGIONS) + born.strftime("%Y%m%d") + self.digits(3)
            value = body + ric.calc_check_digit(body)
            if ric.is_valid(value):
                return value

    def cn_mobile(self) -> str:
        """A valid mainland mobile."""
        while True:
            m = self.r.choice(CN_MOBILE_PREFIXES) + self.digits(8)
            if is_phone("+86" + m, "CN"):
                return m

    def card(self) -> str:
        """A Luhn-valid card number (UnionPay 16/19, Visa, Mastercard)."""
        prefix, length = self.r.choice(
            [
                ("622202", 16),
                ("621700", 19),
                ("622848", 19),
                ("621483", 16),
                ("622588", 16),
                ("620522", 19),
                ("4", 16),
                ("51", 16),
                ("55", 16),
                ("6228", 19),
            ]
        )
        body = prefix + self.digits(length - len(prefix) - 1)
        return body + luhn.calc_check_digit(body)

    def ssn(self) -> str:
        """A valid US SSN, 123-45-6789."""
        while True:
            area = self.r.randrange(1, 900)
            value = f"{area:03d}-{self.r.randrange(1, 100):02d}-{self.r.randrange(1, 10000):04d}"
            if area != 666 and std_ssn.is_valid(value):
                return value

    def nino(self) -> str:
        """A UK National Insurance number, AB123456C."""
        while True:
            prefix = self.r.choice(_NINO_FIRST) + self.r.choice(_NINO_SECOND)
            value = prefix + self.digits(6) + self.r.choice("ABCD")
            if is_nino(value):
                return value

    def hkid(self) -> tuple[str, str, str]:
        """(prefix, six digits, check character) of a valid HKID."""
        prefix = self.r.choice("ABCDEGHKMPRVYZ")
        if self.r.random() < 0.1:
            prefix = self.r.choice(["XA", "WX", "XB"])
        digits = self.digits(6)
        return prefix, digits, hkid_check(prefix, digits)

    def taiwan_id(self) -> str:
        """A valid Taiwan ID, A123456789."""
        while True:
            value = self.r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + self.r.choice("12") + self.digits(8)
            if is_taiwan_id(value):
                return value

    def iban(self) -> str:
        """A valid IBAN (GB, DE, NL or IE), compact."""
        cc = self.r.choice(["GB", "GB", "DE", "NL", "IE"])
        if cc == "GB":
            bban = self.r.choice(["NWBK", "BARC", "LOYD", "HBUK", "MIDL"]) + self.digits(14)
        elif cc == "DE":
            bban = self.digits(18, "123456789")
        elif cc == "NL":
            bban = self.r.choice(["ABNA", "INGB", "RABO", "TRIO"]) + self.digits(10)
        else:
            bban = self.r.choice(["AIBK", "BOFI"]) + self.digits(14)
        value = cc + std_iban.calc_check_digits(cc + "00" + bban) + bban
        assert std_iban.is_valid(value)
        return value

    def us_bare(self) -> str:
        """A valid US number as ten bare digits."""
        while True:
            n = self.r.choice(US_AREAS) + self.digits(3, "23456789") + self.digits(4)
            if n[4:6] != "11" and n[3:6] != "555" and is_phone("+1" + n, "US"):
                return n

    def hk_number(self) -> str:
        """A valid Hong Kong mobile or fixed number, eight digits."""
        while True:
            n = self.digits(8, "569" if self.r.random() < 0.8 else "23")
            if is_phone("+852" + n, "HK"):
                return n

    def cn_landline(self) -> tuple[str, str]:
        """(area code, local number) of a valid mainland landline."""
        while True:
            area, length = self.r.choice(CN_AREAS)
            local = self.digits(length, "2345678")
            if is_phone("+86" + area[1:] + local, "CN"):
                return area, local

    def intl_phone(self) -> str:
        """A valid foreign mobile in international format."""
        while True:
            cc, region, body = self.r.choice(
                [
                    ("44", "GB", "7" + self.digits(9, "4589")),
                    ("1", "US", self.us_bare()),
                    ("852", "HK", self.hk_number()),
                    ("65", "SG", self.digits(8, "89")),
                    ("61", "AU", "4" + self.digits(8)),
                    ("886", "TW", "9" + self.digits(8)),
                    ("86", "CN", self.cn_mobile()),
                ]
            )
            num = phonenumbers.parse("+" + cc + body, region)
            if phonenumbers.is_valid_number(num):
                return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.INTERNATIONAL)

    def cn_address(self) -> CnAddress:
        """A mainland address."""
        prov, city, dist = self.r.choice(CN_PLACES)
        floor = self.r.randrange(1, 33)
        return CnAddress(
            prov,
            city,
            dist,
            self.r.choice(CN_ROADS),
            self.r.randrange(1, 999),
            self.r.choice(CN_COMPOUNDS),
            self.r.randrange(1, 30),
            self.r.choice(CN_BUILDING),
            self.r.randrange(1, 7),
            floor,
            floor * 100 + self.r.randrange(1, 5),
            self.r.random() < 0.35,
        )

    def en_address(self, uk: bool) -> EnAddress:
        """A UK or US address."""
        street = f"{self.r.choice(EN_STREETS)} {self.r.choice(EN_STREET_TYPES)}"
        if uk:
            town, area = self.r.choice(UK_TOWNS)
            code = f"{area}{self.r.randrange(1, 20)} {self.r.randrange(1, 10)}" + "".join(
                self.r.choice("ABDEFGHJLNPQRSTUWXYZ") for _ in range(2)
            )
            flat = str(self.r.randrange(1, 40))
        else:
            city, state = self.r.choice(US_CITIES)
            town, code = f"{city}, {state}", self.digits(5, "123456789")
            flat = f"{self.r.randrange(1, 30)}{self.r.choice('ABCD')}"
        return EnAddress(flat, self.r.randrange(2, 2400), street, town, code, uk)

    def loan_id(self) -> str:
        """A loan id as lenders write them."""
        y = self.r.randrange(2019, 2026)
        return self.r.choice(
            [
                f"LN{y}{self.r.randrange(1, 13):02d}{self.r.randrange(1, 29):02d}{self.digits(6)}",
                f"JK{y}{self.digits(8)}",
                f"CL-{y}-{self.digits(7)}",
                f"HT{y}{self.digits(6)}A",
            ]
        )

    def recent_date(self) -> date:
        """A date in 2025-2027 (appointments, due dates)."""
        return date(2025, 1, 1) + timedelta(days=self.r.randrange(0, 900))

    def old_date(self) -> date:
        """A date in 2008-2019 (account opened, contract signed)."""
        return date(2008, 1, 1) + timedelta(days=self.r.randrange(0, 12 * 365))
