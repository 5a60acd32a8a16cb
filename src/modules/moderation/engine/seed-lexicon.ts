import { Action, Severity } from './findings';
import { LexiconEntry } from './lexicon';

/**
 * The platform's seeded lexicon: Advertising Law absolute terms plus starter lists for fraud,
 * gambling, vulgarity and contact diversion. Organizations refine it with their own layer. Terms are
 * written once in simplified characters; the normalizer takes care of traditional, full-width,
 * spaced-out and repeated spellings.
 */
export const SEED_LEXICON_VERSION = 'seed-2';

const AD_LAW_HINT =
  'Advertising Law art. 9: absolute terms (最佳, 第一, 国家级 …) are forbidden in advertising; allowed only ' +
  'for e.g. best-before times (最佳赏味期), grades defined by a standard, or registered trademarks.';

/**
 * A term, with its allow phrases and whether it also matches by sound (`pinyin`; undefined: the
 * category's default, see `pinyinByDefault`).
 */
type Term = string | { term: string; allow?: string[]; pinyin?: boolean };

interface Group {
  key: string;
  category: string;
  severity: Severity;
  action: Action;
  hint: string;
  terms: readonly Term[];
}

const BEST_BEFORE = ['最佳赏味期', '最佳食用期', '最佳使用期', '最佳饮用期', '最佳观赏期', '最佳保存温度'];

/*
 * Advertising Law terms match by sound only where marked: the distinctive ones people write as zuijia
 * or 醉佳 to slip them through. Short ones such as 第一 stay off, as their homophones are ordinary
 * words (低一点, 地一).
 */
const ABSOLUTE_SUPERLATIVES: readonly Term[] = [
  { term: '最佳', allow: BEST_BEFORE, pinyin: true },
  // "最好在…食用" is advice, not a claim.
  {
    term: '最好',
    allow: [
      '最好在',
      '最好不要',
      '最好别',
      '最好先',
      '最好能',
      '最好还是',
      '最好提前',
      '最好及时',
      '最好起身',
      '最好的朋友',
    ],
    pinyin: true,
  },
  { term: '最低价', pinyin: true },
  { term: '全网最低', pinyin: true },
  { term: '史上最低', pinyin: true },
  { term: '最先进', pinyin: true },
  { term: '最高级', pinyin: true },
  { term: '最高端', pinyin: true },
  { term: '最便宜', pinyin: true },
  // A rated maximum is a specification, not a boast.
  { term: '最大', allow: ['最大功率', '最大容量', '最大承重', '最大载重'] },
  '最优',
  '最优秀',
  '最新技术',
  '最新科技',
  '最先进科学',
  '最具',
  '最赚',
  '最受欢迎',
  '最时尚',
  '最流行',
  '最权威',
  '最专业',
  '最顶级',
  '最强',
  '最划算',
  '最实惠',
  '最完美',
  '最舒适',
  '最有效',
  '最领先',
  '最奢侈',
];

/** Ordinary uses of 第一: an order, not a ranking claim. */
const FIRST_ORDINAL = [
  '第一次',
  '第一天',
  '第一步',
  '第一个',
  '第一批',
  '第一季度',
  '第一时间',
  '第一年',
  '第一届',
  '第一期',
  '第一章',
  '第一节',
  '第一位',
  '第一眼',
  '第一件',
  '第一阶段',
  '第一部分',
  '第一轮',
  '第一名',
  '第一条',
  '第一种',
  '第一周',
  '第一页',
  '第一层',
  '第一口',
];

const FIRST_AND_ONLY: readonly Term[] = [
  // 第一 alone as a claim ("品质第一"); its ordinal uses are allowed, and 第一名 in a race report too.
  { term: '第一', allow: FIRST_ORDINAL },
  // 一流 is "first-class"; inside 统一流程, 同一流域 or 进一步流通 it is two words that happen to meet.
  { term: '一流', allow: ['一流程', '一流域', '一流水线', '一流通', '一流量', '一流向', '一流动'] },
  { term: '全网第一', pinyin: true },
  { term: '销量第一', pinyin: true },
  '排名第一',
  '第一品牌',
  '行业第一',
  '全国第一',
  '中国第一',
  '世界第一',
  '全球第一',
  '天下第一',
  '销量冠军',
  'NO.1',
  'TOP1',
  '独一无二',
  // 唯一 as a claim ("唯一正品"); as a plain word ("唯一的办法", "唯一标识") it is ordinary.
  { term: '唯一', allow: ['唯一的', '唯一一', '唯一标识', '唯一性', '唯一途径', '唯一办法', '唯一选择'] },
  '唯一指定',
  '仅此一家',
  '绝无仅有',
  '史无前例',
  '前无古人',
  '无与伦比',
  '遥遥领先',
  '独家配方',
  '首家',
  '首个',
  '万能',
];

const LEVELS: readonly Term[] = [
  {
    term: '国家级',
    pinyin: true,
    allow: [
      '国家级非物质文化遗产',
      '国家级非遗',
      '国家级自然保护区',
      '国家级风景名胜区',
      '国家级高新技术企业',
    ],
  },
  { term: '世界级', pinyin: true },
  '国际级',
  '宇宙级',
  '殿堂级',
  { term: '顶级', allow: ['顶级域名'] },
  '顶尖',
  '极品',
  { term: '王牌', allow: ['王牌对王牌'] },
  '领袖品牌',
  '领导品牌',
  '领先品牌',
  '全球首发',
  '全国首发',
  '至尊',
  '巅峰',
  '极致',
  '终极',
  '特供',
  '专供',
  '驰名商标',
];

const FRAUD: readonly Term[] = [
  '刷单',
  '兼职刷单',
  '刷单返利',
  '刷信誉',
  '刷好评',
  '刷销量',
  '套现',
  '信用卡套现',
  '花呗套现',
  '高额返利',
  '稳赚不赔',
  '稳赚',
  '保本保息',
  '保本高收益',
  '零风险高回报',
  '日赚千元',
  '日入过万',
  '月入十万',
  '躺赚',
  '一夜暴富',
  '无抵押贷款',
  '黑户贷款',
  '网贷口子',
  '代开发票',
  '洗钱',
  '跑分平台',
  '资金盘',
  '拉人头',
  '杀猪盘',
  '内幕消息',
  '带单荐股',
  '百分百中奖',
];

/*
 * Fraud, gambling and contact terms match by sound by default. Where a two-character term sounds like
 * an everyday word, that word is an allow phrase (allow phrases may hold a term by sound): 赌资 sounds
 * like 肚子 (belly), 私彩 like 四菜 (four dishes), 赌场 like 独唱 (a solo), 私聊 like 饲料 (feed). Terms
 * whose sound collides with too much (特码, 赌马) keep to their characters.
 */
const GAMBLING: readonly Term[] = [
  // 独播 (streamed exclusively) is everyday entertainment news.
  { term: '赌博', allow: ['独播'] },
  '网赌',
  '赌钱',
  // 菠菜 (spinach) is also how gamblers write 博彩; in a recipe it is spinach, so it is let through.
  { term: '博彩', allow: ['菠菜'] },
  '六合彩',
  '百家乐',
  { term: '赌场', allow: ['独唱'] },
  '网上赌场',
  '线上赌场',
  '澳门赌场',
  '真人荷官',
  '老虎机',
  '时时彩',
  '赌球',
  // 都马 in 成都马拉松 / 首都马拉松.
  { term: '赌马', pinyin: false },
  { term: '私彩', allow: ['四菜'] },
  { term: '特码', pinyin: false },
  '买码',
  '押大小',
  '炸金花',
  '棋牌赌博',
  { term: '赌资', allow: ['肚子'] },
  '上分下分',
  '下注平台',
  '轮盘赌',
  '葡京娱乐',
];

const INSULTS: readonly Term[] = [
  '傻逼',
  '傻B',
  '煞笔',
  'SB',
  '二逼',
  // Repeated characters collapse, so 其他妈妈的 would read as 他妈的.
  { term: '他妈的', allow: ['其他妈妈的'] },
  '操你',
  '草泥马',
  '婊子',
  '贱人',
  '骚货',
  '碧池',
  '脑残',
  '智障',
  '白痴',
  '蠢货',
  '狗东西',
  '王八蛋',
  '混蛋',
  '滚蛋',
  // 去死皮 (exfoliating) is everyday beauty vocabulary.
  { term: '去死', allow: ['去死皮', '去死细胞'] },
  'fuck',
  'shit',
];

/** Crude but common in casual speech: worth a flag, not a reviewer's time. */
const MILD_VULGARITY: readonly Term[] = [
  '卧槽',
  '我靠',
  '牛逼',
  '装逼',
  '屌丝',
  '尼玛',
  { term: '你妹', allow: ['你妹妹'] },
  '日了狗',
  'wtf',
];

const CONTACT_DIVERSION: readonly Term[] = [
  // 增加威信 (more prestige) sounds like …加微信.
  { term: '加微信', allow: ['增加威信', '更加威信', '加威信度'] },
  '加我微信',
  '加V',
  '加我V',
  '加vx',
  '加wx',
  // jia wei is also 家委 (家委会), 佳伟 and other names.
  { term: '加薇', pinyin: false },
  '加扣扣',
  '加QQ',
  '加企鹅',
  // Not 威信: it is also an ordinary word (prestige).
  'v信',
  // Sounds like 微信 and 威信, which are ordinary words; 加微信 is a term of its own.
  { term: '薇信', allow: ['微信', '威信'] },
  'vx号',
  { term: '私聊', allow: ['饲料'] },
  '私信我',
  '联系方式',
  '留联系方式',
  '加好友',
  '加我好友',
  '扫码加',
  // Not 加群: 参加群众活动 contains it.
  '进群',
  '私下交易',
  '线下交易',
  '站外交易',
  '看我主页',
];

const GROUPS: readonly Group[] = [
  {
    key: 'advertising',
    category: 'advertising.absolute_term',
    severity: 'medium',
    action: 'review',
    hint: AD_LAW_HINT,
    terms: [...ABSOLUTE_SUPERLATIVES, ...FIRST_AND_ONLY, ...LEVELS],
  },
  {
    key: 'fraud',
    category: 'fraud',
    severity: 'high',
    action: 'block',
    hint: 'Fraud or illegal finance (fake orders, cash-out, guaranteed returns): not allowed in any content.',
    terms: FRAUD,
  },
  {
    key: 'gambling',
    category: 'gambling',
    severity: 'high',
    action: 'block',
    hint: 'Gambling is illegal in mainland China and may not be promoted.',
    terms: GAMBLING,
  },
  {
    key: 'vulgarity',
    category: 'vulgarity',
    severity: 'medium',
    action: 'review',
    hint: 'Insult or profanity: not acceptable in a brand account.',
    terms: INSULTS,
  },
  {
    key: 'vulgarity-mild',
    category: 'vulgarity',
    severity: 'low',
    action: 'flag',
    hint: 'Casual crude language: check it suits the brand.',
    terms: MILD_VULGARITY,
  },
  {
    key: 'contact',
    category: 'contact_diversion',
    severity: 'medium',
    action: 'review',
    hint: 'Platforms forbid moving users to private or off-platform contact.',
    terms: CONTACT_DIVERSION,
  },
];

function toEntries(group: Group): LexiconEntry[] {
  return group.terms.map((item) => {
    const { term, allow, pinyin } =
      typeof item === 'string' ? { term: item, allow: undefined, pinyin: undefined } : item;
    const entry: LexiconEntry = {
      id: `seed:${group.key}:${term}`,
      term,
      category: group.category,
      severity: group.severity,
      action: group.action,
      hint: group.hint,
    };
    if (allow) entry.allowPhrases = allow;
    if (pinyin !== undefined) entry.pinyin = pinyin;
    return entry;
  });
}

export const SEED_LEXICON: readonly LexiconEntry[] = GROUPS.flatMap(toEntries);
