# ruff: noqa: E501 - the sentences are data: one per line reads better than wrapped
"""The corpus's sentences: call notes, visit records, logs, JSON and CSV fragments and
messages as agents and systems write them, with ``«slot»`` where a value goes.

Each entry is (lang, source, level, text); level ``limited`` is an SMS to the debtor
(the amount may stay), ``log`` everything else. Templates are split between dev and
holdout by position (see :func:`split_of`), so no sentence shape is in both.
"""

from __future__ import annotations

import zlib

Template = tuple[str, str, str, str]

CALL_NOTES_ZH: list[str] = [
    "外呼接通本人«name»，称本月工资未发，承诺«date»前先还«amt_coll»，余款下月结清。已告知官方还款渠道，勿向个人转账。",
    "接通后对方自称«given»的同事，说«given»上个月已离职，给了个新号码«mobile_sep»，称是本人在用。",
    "客户«name»来电申请停息挂账，称母亲住院。核对身份证«id»一致，登记诉求转二线，关联订单号«order»。",
    "«given»说以后别打电话了，加她微信«wechat»沟通，已备注，后续以文字方式联系。",
    "本人接听，口述银行卡号«card_sep»，说自动代扣失败了，要求重新发起扣款。已提交工单«num»。",
    "联系紧急联系人（其兄），对方称«given»在外地打工，报了新手机“«mobile_cn»”，已登记待核实。",
    "ASR转写片段：客户：“我叫«name_sp»，身份证号是«id»，下个月«date»之前我一定还上。”",
    "客户承认借了«amt_cn»，但认为利息过高，只同意先还本金«amt_coll»。已解释合同条款，客户不认可。",
    "客户称已拨打«svc95»办理延期，需核实。另留QQ«qq»，邮箱«email»，要求邮件发送还款计划。",
    "第二次外呼未接通，催收短信已发至«mobile»，下次跟进时间«date»。",
    "港籍客户«name_trad»来电，提供香港身份证«hkid»及本地手机«hk8»，要求把结清证明寄到香港。",
    "台湾客户，身份证字号«twid»，LINE ID：«line»，称人在台北，下个月回大陆后处理。",
    "客户出示澳门居民身份证«macau»，要求以澳门地址寄送函件，已转函件组处理，工单«num»。",
    "客户称人在国外，护照号«passport»，暂时回不来，可以先还«amt_coll»表示诚意。",
    "客户报卡号«card»，说如果尾号对不上就是换过卡了，让我们以新卡为准。",
    "核身：客户报出生日期«dob»，与系统一致，核身通过。客户要求«date»再联系。",
    "家属代接：“他身份证号码是«id_sep»，你们自己去查吧。”态度恶劣，已挂断，未透露欠款信息。",
    "客户要求邮件沟通，口述邮箱“«email_obf»”，已发送还款计划，请留意回复。",
    "发往«email_us»的对账单被退信，疑似客户填写有误，下次通话时核对。",
    "客户更新住址：«addr_nopre»，原登记地址已搬离，建议更新外访地址。",
    "«given»称现住«addr_part»附近，具体门牌不愿透露，拒绝上门。",
    "客户说家住«addr_sep»，叫我们别上门，他自己去网点办理。",
    "客户手机关机，拨打家里座机«landline»无人接听，明天上午再试。",
    "客户单位电话«landline_ac»，前台称此人已离职两个月。",
    "客户说欠款不是系统里的数，自己算的是«amt_coll»，要求出具明细。关联订单«order»。",
    "客户反映结清证明快递«tracking»一直没收到，已申请补寄，预计«date»送达。",
    "客户反馈APP «version» 版本还款页白屏，已提交技术。客户手机«mobile»，要求修复后短信通知。",
    "客户抖音号«douyin»，称在做直播带货，月底有收入可以还«amt_cn»。",
    "客户称通过网银从账号«acct»转了一笔，请财务核实到账情况，发票号«invoice»。",
    "客户提供对公账户«acct»，称公司代为偿还。该账户开户日期«old_date»。",
    "客户«min_name»来电，普通话不太流利，由其女儿代为沟通，承诺«date»还款«amt_coll»。",
    "接通，对方称自己不是«min_name»，号码是新办的。已标记号码失效。",
    "客户称已经还了«amt_cn»，但APP显示未到账，截图显示交易时间«ts»。",
    "«name_trad»先生說下週會還錢，電話«hk8»，請勿在上班時間致電。",
    "客户说手机号换成了«mobile_cn»，旧号«mobile»停用，请更新。",
    "客户要求更换联系邮箱为«email_obf»，旧邮箱«email»不再使用。",
    "通话中客户称出生年月日为«dob»，但与证件不一致，需再次核身。",
    "客户称其配偶手机«mobile_sep»可联系，已征得本人同意登记。",
    "客户«given»表示已委托律师处理，要求今后只通过微信«wechat»沟通。",
    "上门前电话确认：客户说地址是«addr_cn»，下午三点在家。",
    "客户称欠款«amt»已于«date»通过«svc95»还清，请核实。借据号«loan»。",
    "客户称有人冒充她加QQ好友，真实QQ号是«qq»，提醒勿相信陌生人。工单«num»。",
    "回访客户«name»，对处理结果满意，确认每月还款«amt_coll»，首期«date»。",
    "客户称身份证号«id»名下另有一笔借款«loan»，要求合并处理。",
    "客户名下银行卡«card»已挂失，新卡号«card_sep»，申请变更代扣卡。",
    "客户女儿接听，称«given»去年搬到«addr_noroom»住了，让我们把信寄过去。",
    "客户称自己生日是«dob»，要求核对后再谈还款，工号A«agent»已核对。",
    "对方说打错了，不认识«name_sp»，此号码为空号转接，标记无效。",
    "客户称在香港工作，香港电话«hk8»，身份证«hkid»，邮箱«email»。",
    "客户留言说收款账户写错了，正确的是账号«acct»（工商银行），请重新登记。",
    "客户说欠的«amt_coll»能不能分三期，每期«amt_cn»，已提交分期申请。",
    "客户情绪激动，称会投诉到«svc95»，已安抚。客户手机号«mobile_sep»。",
    "客户称自己台胞证号码«twid»，护照«passport»，要求用台湾地址寄送。",
]

CALL_NOTES_EN: list[str] = [
    "Outbound call, spoke with «en_name». Passed security (DOB «en_dob»). Promise to pay «en_amt_coll» on «en_date».",
    "Called «en_first» on cell «us10»; said «en_first» would call back after work. Left our number «hotline».",
    "«en_name» provided NI number «nino» for the income and expenditure form. No vulnerability noted.",
    "Third party answered on «intl». Did not disclose the debt; asked for «en_title» «en_last» to call us back.",
    "Debtor emailed from «email_obf» asking for a plan of «en_amt_coll» a month. Reply sent, ticket «num».",
    "Customer disputes the balance of «en_amt»; says they owe «en_amt_coll» at most. Invoice «invoice» attached.",
    "Payment received by transfer from IBAN «iban», reference «loan». Allocated on «en_date».",
    "Customer asked us to set up a direct debit from account «acct_en» (sort code «sortcode») on «en_date».",
    "«en_first» has moved to «en_addr_part», moved in on «en_date». Update the address before the next letter.",
    "HK customer «en_name», reachable on «hk8»; HKID «hkid» checked against file.",
    "Customer says Telegram is best: @«telegram». Declined phone contact.",
    "Passport no. «passport_en» shown at branch as ID. Copy not retained.",
    "SSN given by caller: «ssn». Matches file. Account «loan» discussed, no arrangement yet.",
    "Caller read out card number «card» for a one-off payment of «en_amt_coll»; declined, directed to the portal.",
    "Left voicemail at «us10» at «ts». No details disclosed.",
    "Customer's email is «email_us» (note the leading underscore). Statement resent on «en_date».",
    "Spoke to «en_title» «en_last». Said the «en_amt» was paid through their bank on «en_date»; order ref «order».",
    "Inbound: «en_name» called from «intl», wants to settle for «en_amt_coll». Escalated to team lead.",
    "WeChat ID «wechat» given by the customer, who lives in Shanghai now. Prefers Mandarin.",
    "Customer read his SSN as «ssn» and date of birth as «en_dob»; verification passed. Letter tracking «tracking».",
    "NINO «nino» supplied by «en_first» for the benefits check; agreed «en_amt_coll» per week.",
    "«en_first» says account «acct_en» at their bank is frozen; will pay from wages on «en_date».",
    "Email bounced: «en_email». Customer gave a new address: «email_obf».",
    "«en_name», born «en_dob», holds Taiwan ID «twid»; in Taipei until «en_date».",
    "Customer on a landline from Hong Kong, number «hk8», asked us to write instead. App «version».",
    "Wrong party at «us10»: does not know «en_first». Number flagged, case «num».",
    "Customer wants the refund paid to IBAN «iban»; confirmation email to «en_email».",
    "«en_title» «en_last» says their Social Security number is «ssn» and asked us to stop calling «us10».",
]

VISITS_ZH: list[str] = [
    "上门记录：«date» 14:30 外访两人到达«addr_sep»，敲门无人应答，邻居称«given»一家春节后没回来。已张贴联系卡，留客服电话«hotline»。",
    "外访地址：«addr_cn»。见到本人«name»，情绪稳定，称本月底前还«amt_cn»。",
    "按登记地址«addr_noroom»上门，物业称该户已出租，租客不认识«name»。",
    "到访«addr_part»，门卫登记后进入，未见本人。小区物业邮编«postcode»。",
    "上门记录\n时间：«ts»\n地点：«addr_nopre»\n对象：«name_sp»\n结果：本人在家，承诺«date»前还款«amt_coll»。",
    "外访：«addr»，本人不在，其父称«given»在深圳，手机换了«mobile_cn»。",
    "外访人员在«addr_sep»见到客户，客户出示身份证«id_sep»，确认身份，签署还款承诺书，金额«amt_cn»。",
    "第二次上门（«date»），«addr_noroom»，门上贴有催缴单，邻居称«min_name»很少回来。",
    "上门核实地址«addr_nopre»，与登记一致。客户留座机«landline»，称白天可接。",
    "外访记录：客户«name_trad»，地址«addr_part»，已搬离，新住址未知。",
    "上门未遇，门缝留言请客户拨打«hotline»或«svc95»咨询。地址：«addr_cn»。",
    "上门时客户称欠款«amt_coll»已让朋友代还，朋友微信«wechat»，要求我们核实。",
    "外访：«addr_sep»，客户女儿开门，称«given»在医院陪护。留下联系卡，约«date»再访。",
    "到«addr»外访，客户在家，出示还款凭证，交易时间«ts»，金额«amt»。",
    "外访«addr_noroom»，客户不在，门口快递单«tracking»上的收件人为«name_sp»。",
    "上门记录：«date»，«addr_cn»，本人«name»拒绝开门，隔门称会在«date2»前还«amt_coll»。",
    "按物业提供的信息，客户已搬至«addr_part»，手机«mobile_sep»。",
    "外访员报告：«addr_nopre»无人，楼下信箱有客户信件，收件人«name»，寄件方邮编«postcode»。",
    "外访：«addr_sep»，见到«min_name»本人，出示身份证«id»，称已在«svc95»申请减免。",
    "上门地址«addr_cn»系客户父母家，其母称«given»欠了«amt_coll»，家里帮不了。",
    "外访签到：«ts»，«addr_noroom»，客户«name_trad»在家，同意«date»前结清。",
    "客户要求上门取材料，地址«addr_nopre»，联系电话«landline_ac»。",
]

VISITS_EN: list[str] = [
    "Field visit «en_date»: attended «en_addr_part», no answer. Calling card left with our number «hotline».",
    "Doorstep visit to «en_addr». Met «en_first»; agreed «en_amt_coll» on «en_date»; no vulnerability noted.",
    "Visit report: neighbour at «en_addr_part» said «en_title» «en_last» moved out in «en_month».",
    "Agent visited «en_addr_part» at «ts». «en_name» not present; letter put through the door, tracking «tracking».",
    "Home visit booked for «en_date» at «en_addr»; customer asked us to call «us10» first.",
    "Visit: customer «en_first» showed a statement for account «acct_en» with «en_amt» in arrears.",
    "Doorstep: «en_last» family at «en_addr_part»; customer gave mobile «intl» and email «en_email».",
    "Visit «en_date», «en_addr», customer «en_name» agreed to pay «en_amt» via the app («version»).",
]

LOGS: list[tuple[str, str]] = [
    ("en", "«ts» postfix/cleanup[«pid»]: «queue»: message-id=«msgid»"),
    (
        "en",
        "«ts» postfix/smtp[«pid»]: «queue»: to=<«email»>, relay=mx.qq.com[«ip»]:25, delay=1.4, dsn=2.0.0, status=sent (250 OK)",
    ),
    ("en", "«ts» INFO notifysdk.smtp: sent notice «msgid» to «email_us» for loan «loan»"),
    (
        "en",
        '«ip» - - [«ts_log»] "GET /api/v2/customer?mobile=«mobile»&idno=«id» HTTP/1.1" 200 1532 "-" "«ua»"',
    ),
    ("en", '«ip» - - [«ts_log»] "POST /collect/notes HTTP/1.1" 201 88 "-" "«ua»"'),
    ("en", "«ts» WARN dispatch: retry attempt=2 to=«intl» error=timeout upstream=«ip»:443"),
    ("en", "«ts» ERROR payments: transfer rejected iban=«iban» amount=«en_amt» invoice=«invoice»"),
    ("zh", '«ts» DEBUG sms.render to=«mobile» vars={"name": "«name_json»", "amount": "«amt_num»"}'),
    (
        "en",
        "«syslog_ts» dialer01 dialer[«pid»]: call_end agent=A«agent» dialed=«us10» duration=35s result=no_answer",
    ),
    ("en", "«ts» INFO kyc: verified subject ssn=«ssn» dob=«en_dob» score=0.93 client=«version»"),
    ("zh", "«epoch» DEBUG im.bind wechat=«wechat» batch=«num»"),
    ("zh", '«ts» [worker-3] INFO collect.visit: visit planned address="«addr_nopre»" date=«date»'),
    ("zh", "«ts» WARN callscript: 客户口述手机«mobile_cn»，未能解析"),
    (
        "en",
        '«ip» - - [«ts_log»] "GET /track?no=«tracking»&order=«order» HTTP/1.1" 200 312 "-" "«ua»"',
    ),
    ("en", "«ts» INFO smtp: Message-ID: «msgid» queued for «en_email» (campaign «num»)"),
    ("en", "«ts» ERROR sms: send failed to «hk8» (HK) provider=twilio code=21211 client=«ip»"),
    ("zh", "«ts» INFO card.bind user=«name» card=«card_sep» result=ok"),
    ("zh", "«ts» INFO bank.verify account=«acct» holder=«name» result=match"),
    ("zh", "«ts» DEBUG ocr: id_card number=«id_sep» birth=«dob» conf=0.98"),
    ("en", "«ts» WARN uk.kyc: nino=«nino» postcode_match=false app=«version»"),
    ("zh", "«ts» INFO hk.kyc: hkid=«hkid» name=«name_trad» status=verified"),
    ("zh", "«ts» INFO tw.kyc: id=«twid» passport=«passport» status=pending"),
    ("zh", "«ts» INFO ledger: loan «loan» balance «amt_num» due «date» (node «ip»)"),
    (
        "en",
        "Received: from mail.lender-mail.cn ([«ip»]) by mx1 with ESMTPS; «ts_rfc»\nMessage-ID: «msgid»\nTo: «email»",
    ),
    ("zh", "«ts» INFO landline.lookup number=«landline_ac» type=fixed region=CN"),
    ("zh", "«ts» WARN qq.notify qq=«qq» status=unreachable version=«version»"),
    ("en", "«ts» INFO payment: «en_name» paid «en_amt» by card «card» auth=«num»"),
    ("en", '«ip» - - [«ts_log»] "GET /static/app-«version».js HTTP/1.1" 304 0 "-" "«ua»"'),
    ("zh", "«ts» INFO sms.sent to=«mobile_sep» template=reminder_v2 order=«order»"),
    ("en", "«epoch» INFO export rows=«num» file=export.csv host=«ip» ua=«ua»"),
    ("en", "«ts» INFO smtp: bounce for «email_us» («msgid») from «ip»"),
    ("zh", "«ts» ERROR macau.kyc: bir=«macau» result=mismatch node=«ip»"),
    ("en", "«ts» DEBUG crm.note customer=«en_last» telegram=«telegram» channel=im"),
    ("zh", "«syslog_ts» app02 collector[«pid»]: visit_done addr=«addr_sep» agent=A«agent»"),
    ("zh", "«ts» INFO im.contact douyin=«douyin» wechat=«wechat» source=app «version»"),
    ("en", "«ts» WARN us.kyc: dob=«en_dob» passport=«passport_en» mismatch; retry «num»"),
]

JSON_FRAGMENTS: list[tuple[str, str]] = [
    (
        "zh",
        '{"case_id": "«order»", "debtor": {"name": "«name»", "id_no": "«id»", "mobile": "«mobile»"}, "overdue": "«amt_num»", "updated_at": "«ts»"}',
    ),
    (
        "zh",
        r'{"contact":{"name":"«name_json»","relation":"\u6bcd\u4eb2","phone":"«mobile»"},"client_ip":"«ip»"}',
    ),
    (
        "en",
        '{"customer": "«en_name»", "ssn": "«ssn»", "dob": "«en_dob»", "app_version": "«version»"}',
    ),
    ("zh", '{"borrower_name": "«name_trad»", "hkid": "«hkid»", "tel": "«hk8»", "loan": "«loan»"}'),
    ("zh", '{"wechat": "«wechat»", "qq": "«qq»", "order_no": "«order»", "ts": «epoch»}'),
    ("en", '{"iban":"«iban»","amount":"«en_amt»","invoice":"«invoice»","ip":"«ip»"}'),
    ("zh", '{"event":"visit","address":"«addr_nopre»","visited_at":"«ts»","result":"no_answer"}'),
    ("zh", r'{"name":"«name_json»","mobile":"«mobile_sep»","idcard":"«id»","city":"\u676d\u5dde"}'),
    (
        "en",
        '{"debtor":"«en_name»","nino":"«nino»","lender_postcode":"«en_postcode»","due":"«en_date»"}',
    ),
    (
        "zh",
        '{"note": "客户称已还«amt_coll»，微信«wechat»", "agent": "A«agent»", "created": "«ts»"}',
    ),
    ("zh", r'{"tracking":"«tracking»","carrier":"SF","order":"«order»","recipient":"«name_json»"}'),
    ("en", '{"msg_id":"«msgid»","to":"«en_email»","status":"delivered","at":"«ts»"}'),
    ("en", '{"passport":"«passport_en»","nationality":"GBR","name":"«en_name»","dob":"«en_dob»"}'),
    ("zh", '{"tw_id":"«twid»","line":"«line»","name":"«name_trad»"}'),
    ("zh", '{"macau_id":"«macau»","phone":"«intl»","address":"«addr_part»"}'),
    ("zh", '{"account":{"no":"«acct»","bank":"招商银行"},"holder":"«name»","dob":"«dob»"}'),
    (
        "zh",
        '{"visit":{"addr":"«addr_cn»","at":"«ts»"},"contact":"«min_name»","landline":"«landline»"}',
    ),
    (
        "en",
        '{"first_name":"«en_first»","phone":"«us10»","email":"«email_obf»","source":"web-form"}',
    ),
    ("zh", '{"promise":{"amount":"«amt_cn»","date":"«date»"},"mobile":"«mobile_cn»","ip":"«ip»"}'),
    ("en", '{"ticket":«num»,"hk_phone":"«hk8»","version":"«version»","at":"«ts»"}'),
]

CSV_FRAGMENTS: list[tuple[str, str]] = [
    (
        "zh",
        "loan_id,name,mobile,id_no,overdue,due_date\n«loan»,«name»,«mobile»,«id»,«amt_num»,«date»",
    ),
    ("zh", "客户,联系电话,地址,备注\n«name_sp»,«mobile_sep»,«addr_nopre»,承诺«date»还«amt_coll»"),
    ("en", "name,ssn,dob,phone,balance\n«en_name»,«ssn»,«en_dob»,«us10»,«en_amt»"),
    ("en", "tracking_no,order_no,client_ip,created_at\n«tracking»,«order»,«ip»,«ts»"),
    ("zh", "姓名,证件号,银行卡,金额\n«name_trad»,«id_sep»,«card»,«amt_cn»"),
    (
        "en",
        "agent,called,result,note\nA«agent»,«us10»,PTP,«en_first» will pay «en_amt_coll» on «en_date»",
    ),
    ("en", "customer,nino,iban,amount\n«en_name»,«nino»,«iban»,«en_amt»"),
    ("zh", "id,hkid,phone,email\n«num»,«hkid»,«hk8»,«email_us»"),
    ("zh", "序号,客户,生日,微信,QQ\n1,«name»,«dob»,«wechat»,«qq»"),
    ("en", "invoice,date,version,ip\n«invoice»,«date»,«version»,«ip»"),
    ("zh", "客户,地址,座机\n«min_name»,«addr_cn»,«landline»"),
    ("en", "case,debtor,email,passport\n«order»,«en_name»,«email_obf»,«passport_en»"),
    ("zh", "日期,客户,外访地址,结果\n«date»,«given»,«addr_sep»,未遇"),
    ("zh", "客户,台湾身份证,澳门身份证,护照\n«name_trad»,«twid»,«macau»,«passport»"),
    ("zh", "时间,账号,户名,金额\n«ts»,«acct»,«name»,«amt»"),
    ("en", "ts,ip,message_id,rcpt\n«ts»,«ip»,«msgid»,«email_us»"),
]

MESSAGES_LIMITED: list[tuple[str, str]] = [
    (
        "zh",
        "【«lender»】«name»您好，您的借款本期应还«own_amt»，请于«date»前还款。如有疑问请致电«hotline»。",
    ),
    (
        "zh",
        "【«lender»】«given»您好，您的账单«own_amt»已逾期，可通过APP（«version»及以上）或致电«hotline»办理。",
    ),
    ("zh", "«name_trad»您好，您本期應還«own_amt»，請於«date»前還款，查詢請致電«hotline»。"),
    (
        "en",
        "Dear «en_name», your balance of «en_own_amt» is due on «en_date». Call us on «hotline». Ref «invoice».",
    ),
    (
        "en",
        "Hi «en_first», a reminder that «en_own_amt» was due on «en_date». Reply or call «hotline».",
    ),
    (
        "zh",
        "【«lender»】尊敬的«name_sp»客户，您的还款«own_amt»已于«date»到账，感谢配合。客服«hotline»。",
    ),
    (
        "en",
        "Dear «en_title» «en_last», we received «en_own_amt» on «en_date», thank you. Questions: «hotline».",
    ),
    (
        "zh",
        "【«lender»】«min_name»您好，您的欠款«own_amt»请于«date»前归还，详询«hotline»或«svc95»。",
    ),
    (
        "zh",
        "【«lender»】客户您好，您尾号相关账单应还«own_amt»，还款日«date»，发票«invoice»已开具，客服«hotline»。",
    ),
    (
        "en",
        "«en_first», your plan payment of «en_own_amt» is due «en_date». Manage it in the app («version») or call «hotline».",
    ),
]

MESSAGES_LOG: list[tuple[str, str]] = [
    ("zh", "客户微信发来：“我是«name»，身份证«id_sep»，卡号«card_sep»，帮我查下还差多少”"),
    ("zh", "客户短信回复：我叫«name_sp»，手机«mobile_cn»，之前说的«amt_cn»这周五前打过去。"),
    (
        "en",
        "Text from customer: this is «en_first», my new email is «email_obf» and my cell is «us10».",
    ),
    ("zh", "客户留言：我邮箱«email_us»，你们把合同发过来，我QQ«qq»也可以。"),
    (
        "en",
        "WhatsApp from debtor: «en_name» here, DOB «en_dob», can pay «en_amt_coll» on «en_date». My number in HK is «hk8».",
    ),
    ("zh", "客户短信：我已经还了«amt_coll»，转账时间«ts»，别再打电话了。"),
    ("zh", "客户来信：本人«name_trad»，澳门身份证«macau»，现居«addr_part»，请寄送结清证明。"),
    (
        "en",
        "Email from customer: I'm «en_title» «en_last», SSN «ssn», please stop calling my work. Ref «order».",
    ),
    ("zh", "客户发来：我的抖音«douyin»，微信«wechat»，别打我家座机«landline»了。"),
    ("zh", "客户短信：钱我打到你们账户了，我的账号«acct»，«amt_cn»，你们查一下。"),
    ("en", "SMS reply: «en_first» here. Moved to «en_addr_part». Pay «en_amt_coll» Friday."),
    ("zh", "客户留言：我是«given»，新地址«addr_sep»，出生日期«dob»，别再打给我妈了。"),
]

KEEP_ONLY: list[tuple[str, str, str]] = [
    (
        "zh",
        "call_note",
        "«ts» 客户咨询结清证明寄送进度，快递«tracking»，订单«order»，已告知«date»前送达。",
    ),
    (
        "zh",
        "message",
        "系统通知：APP已升级至«version»，旧版«version2»将于«date»停止支持。客服电话«hotline»，也可拨打«svc95»。",
    ),
    ("zh", "call_note", "«ts» 回访批次«num»完成，发票«invoice»已开具，邮寄单号«tracking»。"),
    (
        "en",
        "call_note",
        "Customer queried invoice «invoice» and order «order»; both closed on «en_date». App version «version».",
    ),
    ("en", "log", '«ip» - - [«ts_log»] "GET /health HTTP/1.1" 200 2 "-" "«ua»"'),
    ("en", "log", "«ts» INFO smtp: relay «ip» accepted «msgid» (queue «queue»)"),
    (
        "zh",
        "message",
        "我司地址：上海市浦东新区世纪大道100号，邮编«postcode»，客服热线«hotline»，工作日9:00-18:00。",
    ),
    (
        "en",
        "message",
        "Our office: PO Box 1200, Leeds «en_postcode». Helpline «hotline», Monday to Friday.",
    ),
    (
        "zh",
        "call_note",
        "客户询问还款日，告知每月«date»为还款日，开户日期«old_date»，合同编号«order»。",
    ),
    ("en", "log", "Tracking «tracking» shows the letter was delivered on «en_date» at «ts»."),
    ("zh", "log", "«ts» INFO 批量外呼任务«num»开始，节点«ip»，版本«version»，预计«date»完成。"),
    ("en", "log", "«epoch» DEBUG health ok node=«ip» build=«version» last_msg=«msgid»"),
    (
        "zh",
        "visit_record",
        "外访组«date»例会：上门任务单«num»，物流单«tracking»，如有问题拨打«hotline»。",
    ),
    ("en", "csv", "order,tracking,invoice,shipped\n«order»,«tracking»,«invoice»,«en_date»"),
    (
        "zh",
        "json",
        '{"order":"«order»","invoice":"«invoice»","created":"«ts»","svc":"«svc95»","ver":"«version»"}',
    ),
]


HOLDOUT_ONLY: list[Template] = [
    (
        "zh",
        "call_note",
        "log",
        "客户本人来电，自报住址«addr»，要求把合同复印件寄过去，同时说明«date»会还«amt_coll»。",
    ),
    (
        "zh",
        "call_note",
        "log",
        "客户称不住«addr_noroom»了，那套房子«old_date»就卖了，让我们以后别往那儿寄信。",
    ),
    (
        "zh",
        "call_note",
        "log",
        "客户要求退款到本人账户，开户行建设银行，账号«acct»，户名与借款人一致。",
    ),
    ("zh", "call_note", "log", "客户公司总机«landline_ac»，转人事部核实在职情况，对方拒绝透露。"),
    ("zh", "call_note", "log", "客户系澳门居民，证件号码«macau»，通讯地址在氹仔，要求邮寄函件。"),
    ("zh", "call_note", "log", "客户出境前留了护照号码«passport»，称«date»回国后第一时间处理。"),
    (
        "zh",
        "call_note",
        "log",
        "客户是台湾地区居民，身份证统一编号«twid»，手机«intl»，要求简体函件。",
    ),
    (
        "en",
        "call_note",
        "log",
        "National Insurance number «nino» read out by «en_first»; checked against the benefits letter.",
    ),
    (
        "en",
        "call_note",
        "log",
        "Funds to be sent from «en_first»'s current account, account number «acct_en», sort code «sortcode».",
    ),
    (
        "en",
        "call_note",
        "log",
        "Customer travelling, gave passport number «passport_en» and asked for email contact at «en_email».",
    ),
    (
        "zh",
        "log",
        "log",
        r'«ts» DEBUG push.payload {"title":"\u8fd8\u6b3e\u63d0\u9192","to":"«name_json»","amt":"«amt_num»"}',
    ),
    (
        "zh",
        "json",
        "log",
        r'{"uid":«num»,"real_name":"«name_json»","id_card":"«id»","reg_ip":"«ip»"}',
    ),
    ("zh", "log", "log", "«ts» INFO address.normalize input=«addr» output=ok node=«ip»"),
    ("zh", "visit_record", "log", "外访：登记地址«addr»，现场为商铺，店员称«given»已转让店面。"),
    (
        "zh",
        "visit_record",
        "log",
        "上门时间«ts»，地点«addr_noroom»，本人在家，出示澳门身份证«macau»，称持双重身份。",
    ),
    (
        "en",
        "log",
        "log",
        "«ts» INFO uk.dd mandate created account=«acct_en» sort=«sortcode» nino=«nino»",
    ),
    ("zh", "csv", "log", "客户,护照,台湾身份证,固话\n«name»,«passport»,«twid»,«landline_ac»"),
    ("zh", "message", "log", "客户短信：我身份证号«id»，你们核一下，别打我单位«landline_ac»。"),
    (
        "zh",
        "call_note",
        "log",
        "客户«name»报香港身份证«hkid»，称在香港做生意，内地身份证«id_sep»。",
    ),
    (
        "en",
        "json",
        "log",
        '{"customer":"«en_name»","address":"«en_addr»","nino":"«nino»","updated":"«ts»"}',
    ),
    ("zh", "call_note", "log", "客户称住在«addr_noroom»，楼下有快递柜，快递单号«tracking»可查。"),
    (
        "zh",
        "log",
        "log",
        "«ts» INFO kyc.passport no=«passport» country=CHN holder=«name_json» ip=«ip»",
    ),
    (
        "en",
        "message",
        "log",
        "Letter returned from «en_addr»; customer then emailed from «email_us» with a new NI number «nino».",
    ),
    (
        "zh",
        "json",
        "log",
        '{"tw":{"id":"«twid»","phone":"«hk8»"},"macau":"«macau»","order":"«order»"}',
    ),
    (
        "zh",
        "message",
        "log",
        "函件退回请寄：深圳市福田区益田路6001号（邮编«postcode»），或致电«svc95»转人工。",
    ),
    (
        "zh",
        "call_note",
        "log",
        "客户询问为何收到«svc95»的来电，已解释为银行代扣通知，与我司无关，工单«num»。",
    ),
    (
        "en",
        "message",
        "log",
        "Returns to: Collections, PO Box 77, Manchester «en_postcode». Reference «num» on all letters.",
    ),
    (
        "zh",
        "log",
        "log",
        "«ts» INFO letter.batch «num» printed, return postcode «postcode», carrier ticket «tracking»",
    ),
    (
        "zh",
        "visit_record",
        "log",
        "外访前拨打«svc95»核实网点营业时间，网点邮编«postcode»，任务«num»。",
    ),
]


def all_templates() -> list[Template]:
    """Every template with its language, source and level."""
    out: list[Template] = []
    out += [("zh", "call_note", "log", t) for t in CALL_NOTES_ZH]
    out += [("en", "call_note", "log", t) for t in CALL_NOTES_EN]
    out += [("zh", "visit_record", "log", t) for t in VISITS_ZH]
    out += [("en", "visit_record", "log", t) for t in VISITS_EN]
    out += [(lang, "log", "log", t) for lang, t in LOGS]
    out += [(lang, "json", "log", t) for lang, t in JSON_FRAGMENTS]
    out += [(lang, "csv", "log", t) for lang, t in CSV_FRAGMENTS]
    out += [(lang, "message", "limited", t) for lang, t in MESSAGES_LIMITED]
    out += [(lang, "message", "log", t) for lang, t in MESSAGES_LOG]
    out += [(lang, source, "log", t) for lang, source, t in KEEP_ONLY]
    out += HOLDOUT_ONLY
    return out


def split_of(template: Template) -> str:
    """The written-for-holdout templates and about one in four others (by a hash of the
    text, stable when templates are added) are holdout; the rest dev."""
    if template in HOLDOUT_ONLY or zlib.crc32(template[3].encode()) % 4 == 1:
        return "holdout"
    return "dev"
