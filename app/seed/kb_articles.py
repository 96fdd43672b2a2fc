"""The demo bank's knowledge base: 36 articles (18 subjects, each in Korean and English) on
a Korean retail bank's products and procedures, with the scripts agents read out, each tied
to the queues and contact reasons of the demo (:mod:`app.seed.agents`,
:mod:`app.seed.contacts`). The bank, its numbers and its rates are fictional.

Written through :func:`app.kb.create_article` (history, scopes and full-text index as any
article; no audit row: nobody edited them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.kb import FTS_TABLE, ArticleFields, create_article
from app.models import User

SEED_ACTOR = "seed"


@dataclass(frozen=True)
class Subject:
    kind: str
    queues: tuple[str, ...]
    reasons: tuple[str, ...]
    ko: tuple[str, str, tuple[str, ...]]  # title, body, tags
    en: tuple[str, str, tuple[str, ...]]


SUBJECTS: tuple[Subject, ...] = (
    Subject("product", ("deposits", "vip"), ("deposit_renewal", "product_inquiry"), (
        "정기예금 상품 안내 (한결 정기예금)",
        ("가입 대상: 개인 및 개인사업자 (1인 1계좌 제한 없음).\n"
        "가입 기간: 1개월 이상 36개월 이하, 월 단위.\n"
        "가입 금액: 100만원 이상, 한도 없음.\n"
        "기본 금리(세전, 연): 6개월 3.10%, 12개월 3.35%, 24개월 3.20%, 36개월 3.15%.\n"
        "우대 금리: 급여이체 실적 0.10%p, 비대면 가입 0.10%p, 만기 자동 재예치 0.05%p (최고 0.25%p).\n"
        "이자 지급: 만기일시지급식 또는 월이자지급식 중 선택.\n"
        "예금자보호: 예금자보호법에 따라 원금과 소정의 이자를 합하여 1인당 최고 1억원까지 보호.\n"
        "상담 포인트: 금리는 가입일 기준으로 확정되며 만기까지 변하지 않음을 안내합니다."),
        ("정기예금", "금리", "예금자보호"),
    ), (
        "Time deposit terms (Hangyeol Time Deposit)",
        ("Who: individuals and sole proprietors (no limit on the number of accounts).\n"
        "Term: 1 to 36 months, in whole months.\n"
        "Amount: from KRW 1,000,000, no upper limit.\n"
        "Base rates (before tax, per year): 6 months 3.10%, 12 months 3.35%, 24 months 3.20%, "
        "36 months 3.15%.\n"
        "Preferential rates: salary transfer 0.10%p, opened online 0.10%p, automatic renewal "
        "0.05%p (at most 0.25%p).\n"
        "Interest: paid at maturity or monthly, as the customer chooses.\n"
        "Deposit insurance: principal and interest are protected up to KRW 100 million per "
        "person under the Depositor Protection Act.\n"
        "Tip: the rate is fixed on the opening day and does not change until maturity."),
        ("time deposit", "interest rate", "deposit insurance"),
    )),
    Subject("procedure", ("deposits",), ("deposit_renewal",), (
        "정기예금 중도해지 이율과 절차",
        ("만기 전에 해지하면 약정 금리 대신 중도해지 이율이 적용됩니다.\n"
        "중도해지 이율: 가입 기간 1개월 미만 0.1%, 3개월 미만 약정금리의 20%, 6개월 미만 40%, "
        "9개월 미만 60%, 9개월 이상 80%.\n"
        "절차: 1) 본인 확인 (생년월일, 휴대폰 인증) 2) 해지 금액과 예상 이자를 안내하고 동의 확인 "
        "3) 입금 계좌 확인 4) 해지 처리 후 처리 결과 문자 발송.\n"
        "대안 안내: 일부만 필요하면 예금담보대출(예금액의 95% 이내)이나 분할해지(1회)가 더 유리할 "
        "수 있음을 먼저 안내합니다.\n"
        "주의: 법인 명의, 질권 설정 계좌는 콜센터에서 해지할 수 없으며 영업점 방문이 필요합니다."),
        ("정기예금", "중도해지", "이율"),
    ), (
        "Early termination of a time deposit: rates and steps",
        ("Closing before maturity pays the early-termination rate instead of the agreed rate.\n"
        "Early-termination rate: under 1 month 0.1%; under 3 months 20% of the agreed rate; "
        "under 6 months 40%; under 9 months 60%; 9 months or more 80%.\n"
        "Steps: 1) verify identity (date of birth, mobile authentication) 2) state the amount "
        "and the expected interest and get consent 3) confirm the receiving account 4) close "
        "and send the result by text message.\n"
        "Offer first: if only part of the money is needed, a deposit-secured loan (up to 95% "
        "of the deposit) or one partial withdrawal may cost the customer less.\n"
        "Note: corporate accounts and pledged deposits cannot be closed by phone; the customer "
        "must visit a branch."),
        ("time deposit", "early termination", "interest rate"),
    )),
    Subject("script", ("deposits", "vip"), ("deposit_renewal",), (
        "예금 만기 재예치 안내 스크립트",
        ("\"안녕하세요, 한결은행 고객센터 ○○○입니다. 고객님의 정기예금이 ○월 ○일 만기 예정이라 "
        "안내드리려고 연락드렸습니다. 잠시 통화 가능하실까요?\"\n"
        "(동의 시) \"만기 금액은 세후 약 ○○○원입니다. 같은 기간으로 재예치하시면 현재 12개월 "
        "기준 연 3.35%가 적용되고, 자동 재예치 우대 0.05%p도 받으실 수 있습니다.\"\n"
        "(자금 용도 확인) \"혹시 만기 자금의 사용 계획이 있으신가요?\" - 일부 사용 시 분할 재예치, "
        "투자 관심 시 투자성향 확인 후 펀드 상담 연결.\n"
        "(마무리) \"재예치 신청이 완료되었습니다. 처리 내용은 문자로 보내드리겠습니다. "
        "감사합니다.\""),
        ("만기", "재예치", "스크립트"),
    ), (
        "Deposit maturity renewal script",
        ("\"Hello, this is ___ from Hangyeol Bank's customer center. Your time deposit matures "
        "on ___, and I am calling to let you know. Do you have a moment?\"\n"
        "(If yes) \"The amount at maturity is about KRW ___ after tax. If you renew for the same "
        "term, today's 12-month rate is 3.35% a year, plus 0.05%p for automatic renewal.\"\n"
        "(Ask about plans) \"Do you have plans for the money?\" - part needed: renew the rest; "
        "interested in investing: check the risk profile first, then hand over to a fund "
        "consultation.\n"
        "(Close) \"Your renewal is done; we will text you the details. Thank you.\""),
        ("maturity", "renewal", "script"),
    )),
    Subject("procedure", ("cards",), ("card_lost",), (
        "카드 분실 신고 절차",
        ("분실 신고는 24시간 365일 접수하며 신고 즉시 모든 거래가 정지됩니다.\n"
        "1) 본인 확인: 성명, 생년월일, 카드 뒷자리 4자리 또는 휴대폰 인증.\n"
        "2) 분실 카드 특정: 보유 카드 목록에서 분실 카드를 확인 (가족카드 포함 여부 확인).\n"
        "3) 사고 등록: 분실 일시와 장소를 기록하고 거래 정지를 등록합니다.\n"
        "4) 부정 사용 확인: 신고 전 최근 거래를 함께 확인하고, 본인이 하지 않은 거래가 있으면 "
        "부정사용 이의신청을 접수합니다 (신고일 기준 60일 전 거래부터 보상 검토).\n"
        "5) 재발급: 동일 번호 재발급 불가, 새 번호로 5~7영업일 내 등기 배송. 재발급 수수료 없음.\n"
        "6) 자동이체·간편결제에 등록된 카드 번호 변경을 안내합니다."),
        ("카드", "분실", "재발급", "부정사용"),
    ), (
        "Reporting a lost card",
        ("Lost cards are taken 24/7; every transaction stops as soon as the report is made.\n"
        "1) Verify identity: name, date of birth, last 4 digits of the card or mobile "
        "authentication.\n"
        "2) Find the card: confirm which card was lost from the customer's list (ask about "
        "family cards too).\n"
        "3) Register the loss: record when and where it was lost and block the card.\n"
        "4) Check for fraud: review recent transactions with the customer; for any they did not "
        "make, file a fraudulent-use claim (transactions up to 60 days before the report are "
        "reviewed for compensation).\n"
        "5) Reissue: a new card number, delivered by registered mail within 5-7 business days; "
        "no reissue fee.\n"
        "6) Remind the customer to update the card number on automatic payments and wallets."),
        ("card", "lost card", "reissue", "fraud"),
    )),
    Subject("script", ("cards",), ("card_lost",), (
        "카드 분실 고객 응대 스크립트",
        ("\"많이 놀라셨죠. 지금 바로 카드 사용을 정지해 드리겠습니다.\"\n"
        "\"본인 확인을 위해 성명과 생년월일을 말씀해 주시겠어요?\"\n"
        "\"확인 감사합니다. 분실하신 카드가 끝자리 ○○○○ 카드가 맞으신가요?\"\n"
        "\"지금 이 시각으로 해당 카드의 모든 거래가 정지되었습니다. 혹시 분실 이후 직접 하지 않으신 "
        "결제 문자를 받으셨나요?\"\n"
        "\"새 카드는 새로운 번호로 5~7영업일 안에 등록하신 주소로 보내 드립니다. 주소가 ○○○ "
        "맞으신가요?\"\n"
        "\"자동이체나 간편결제에 등록하신 카드가 있으면 새 카드 수령 후 번호를 바꿔 주셔야 합니다. "
        "더 도와드릴 일이 있을까요?\""),
        ("카드", "분실", "스크립트"),
    ), (
        "Lost card call script",
        ("\"I'm sorry to hear that. Let me block the card right away.\"\n"
        "\"To confirm it's you, may I have your name and date of birth?\"\n"
        "\"Thank you. Is the lost card the one ending in ____?\"\n"
        "\"As of now every transaction on that card is stopped. Since you lost it, have you "
        "received any text about a payment you did not make?\"\n"
        "\"Your new card will have a new number and reach your registered address within 5-7 "
        "business days. Is your address still ____?\"\n"
        "\"If the card was set up for automatic payments or a mobile wallet, please update the "
        "number once the new card arrives. Is there anything else I can help with?\""),
        ("card", "lost card", "script"),
    )),
    Subject("procedure", ("deposits", "cards"), ("password_reset", "internet_banking_login"), (
        "인터넷뱅킹 비밀번호 재설정 안내",
        ("비밀번호 5회 연속 오류 시 인터넷·모바일뱅킹 로그인이 제한됩니다.\n"
        "비대면 재설정 (콜센터 안내): 앱 첫 화면 > 로그인 > 비밀번호 재설정 > 휴대폰 본인인증 > "
        "신분증 촬영(진위 확인) > 계좌 비밀번호 4자리 입력 > 새 비밀번호 설정.\n"
        "상담원은 비밀번호를 대신 설정하거나 묻지 않습니다. 고객이 불러 주려 하면 즉시 중단시키고 "
        "\"비밀번호는 말씀하지 마세요\"라고 안내합니다.\n"
        "계좌 비밀번호(4자리) 오류 3회: 영업점 방문(신분증 지참)으로만 해제 가능.\n"
        "OTP 오류 10회: OTP 재발급 또는 영업점 방문 안내.\n"
        "해외 체류 고객: 해외 휴대폰 번호로는 본인인증이 되지 않으므로 영상통화 인증을 안내합니다."),
        ("비밀번호", "재설정", "인터넷뱅킹", "로그인"),
    ), (
        "Resetting an online banking password",
        ("Five wrong passwords in a row lock internet and mobile banking.\n"
        "Self-service reset (guide the customer): app start screen > Log in > Reset password > "
        "mobile identity check > photo of the ID card (verified) > 4-digit account PIN > new "
        "password.\n"
        "Agents never set or ask for a password. If the customer starts reading one out, stop "
        "them at once: \"Please don't tell me your password.\"\n"
        "Account PIN wrong 3 times: only a branch can unlock it (bring an ID card).\n"
        "OTP wrong 10 times: reissue the OTP device or visit a branch.\n"
        "Customers abroad: identity checks do not work with a foreign mobile number; offer the "
        "video-call check instead."),
        ("password", "reset", "online banking", "login"),
    )),
    Subject("script", ("vip", "deposits"), ("product_inquiry",), (
        "펀드 투자위험 고지 스크립트 (설명의무)",
        ("금융소비자보호법에 따라 펀드 권유 전 투자성향 확인과 설명의무를 반드시 이행합니다.\n"
        "\"가입을 권유드리기 전에 고객님의 투자성향을 확인하겠습니다. 투자 경험과 투자 기간, "
        "감내할 수 있는 손실 수준을 여쭤보겠습니다.\"\n"
        "\"이 펀드는 위험등급 2등급(높은 위험)으로, 고객님의 투자성향(적극투자형)에 적합합니다.\"\n"
        "\"펀드는 예금자보호법에 따라 보호되지 않으며, 운용 결과에 따라 원금 손실이 발생할 수 "
        "있습니다. 과거 수익률이 미래 수익률을 보장하지 않습니다.\"\n"
        "\"총보수는 연 1.2%이며, 90일 이내 환매 시 이익금의 70%가 환매수수료로 부과됩니다.\"\n"
        "\"설명 드린 내용을 이해하셨는지 확인 부탁드립니다.\" - 고객이 이해했다고 답하지 않으면 "
        "가입을 진행하지 않습니다. 녹취는 10년 보관됩니다.\n"
        "부적합 상품 가입 요청 시: 부적합 확인서 없이 진행 불가, 영업점 안내."),
        ("펀드", "투자위험", "설명의무", "금융소비자보호법"),
    ), (
        "Fund risk disclosure script (duty to explain)",
        ("Under the Financial Consumer Protection Act, check the customer's risk profile and give "
        "the full explanation before recommending any fund.\n"
        "\"Before I recommend anything, let me check your investment profile: your experience, "
        "how long you plan to invest and how much loss you could bear.\"\n"
        "\"This fund is risk grade 2 (high risk), which matches your profile (active "
        "investor).\"\n"
        "\"Funds are not covered by deposit insurance, and you may lose part of the principal "
        "depending on performance. Past returns do not guarantee future returns.\"\n"
        "\"Total fees are 1.2% a year, and a redemption within 90 days costs 70% of the gain.\"\n"
        "\"Could you confirm you have understood what I explained?\" - if the customer does not "
        "confirm, do not go ahead. Calls are recorded and kept for 10 years.\n"
        "Product above the customer's profile: not sold by phone; refer to a branch."),
        ("fund", "risk disclosure", "duty to explain", "consumer protection"),
    )),
    Subject("product", ("loans",), ("loan_inquiry",), (
        "대출 중도상환수수료 안내",
        ("대출 만기 전에 원금을 갚으면 중도상환수수료가 부과될 수 있습니다.\n"
        "계산식: 중도상환 원금 × 수수료율 × (잔여 기간 ÷ 3년). 대출 실행 후 3년이 지나면 면제.\n"
        "수수료율: 주택담보대출 변동금리 1.2%, 고정금리 1.4%; 신용대출 0.7%; 전세자금대출 0.6%.\n"
        "면제: 매년 원금의 10%까지 중도상환 시 면제 (주택담보대출), 사망·해외이주 등 불가피한 사유.\n"
        "예시: 1억원 주택담보대출(변동) 1년 후 전액 상환 → 100,000,000 × 1.2% × (2 ÷ 3) = 800,000원.\n"
        "상담 포인트: 정확한 금액은 상환 예정일 기준으로 조회해 안내하고, 대환대출 시에도 동일하게 "
        "부과됨을 알립니다."),
        ("대출", "중도상환수수료", "상환"),
    ), (
        "Loan prepayment fees",
        ("Repaying principal before the loan's maturity may cost a prepayment fee.\n"
        "Formula: prepaid principal × fee rate × (remaining time ÷ 3 years); no fee after the "
        "loan is 3 years old.\n"
        "Rates: mortgage 1.2% (variable) or 1.4% (fixed); personal credit loan 0.7%; jeonse "
        "loan 0.6%.\n"
        "Waived: up to 10% of principal repaid each year (mortgages), and for death, emigration "
        "and similar unavoidable reasons.\n"
        "Example: KRW 100 million variable mortgage repaid in full after 1 year → 100,000,000 × "
        "1.2% × (2 ÷ 3) = KRW 800,000.\n"
        "Tip: quote the exact amount for the planned repayment date, and say that refinancing "
        "with another lender pays the same fee."),
        ("loan", "prepayment fee", "repayment"),
    )),
    Subject("procedure", ("loans",), ("loan_application",), (
        "주택담보대출 신청 서류와 절차",
        ("필수 서류: 신분증, 주민등록등본, 가족관계증명서, 소득 증빙(근로소득원천징수영수증 또는 "
        "소득금액증명원), 재직증명서 또는 사업자등록증, 매매계약서 사본.\n"
        "절차: 1) 한도 사전조회 (앱 또는 콜센터) 2) 서류 제출 (비대면 업로드 가능) 3) 감정평가 "
        "(3~5영업일) 4) 심사 결과 안내 5) 약정 (전자약정 또는 영업점) 6) 잔금일에 실행.\n"
        "한도 기준: LTV(지역별 50~70%), DSR 40% 이내.\n"
        "상담 포인트: 잔금일 최소 2주 전 신청을 권장하고, 생애최초 구입자는 LTV 우대를 확인합니다. "
        "금리 유형(변동/고정/혼합)별 차이를 설명합니다."),
        ("주택담보대출", "대출 신청", "서류", "LTV", "DSR"),
    ), (
        "Mortgage application: documents and steps",
        ("Documents: ID card, resident registration, family relations certificate, proof of "
        "income (withholding tax receipt or income certificate), employment certificate or "
        "business registration, copy of the purchase contract.\n"
        "Steps: 1) limit pre-check (app or call center) 2) documents (can be uploaded) 3) "
        "appraisal (3-5 business days) 4) credit decision 5) contract (electronic or at a "
        "branch) 6) funds released on the closing date.\n"
        "Limits: LTV 50-70% by region, DSR up to 40%.\n"
        "Tip: advise applying at least two weeks before closing; check first-time-buyer LTV "
        "benefits; explain variable, fixed and hybrid rates."),
        ("mortgage", "loan application", "documents", "LTV", "DSR"),
    )),
    Subject("script", ("deposits", "loans", "cards", "fx", "collections", "vip"), ("complaint",), (
        "불만 고객 응대 및 민원 접수 스크립트",
        ("1) 경청과 공감: \"불편을 드려 정말 죄송합니다. 어떤 일이 있으셨는지 자세히 말씀해 "
        "주시겠어요?\" 중간에 말을 끊지 않습니다.\n"
        "2) 사실 확인: 거래 일시, 금액, 응대 직원 등 사실관계를 요약해 되묻습니다.\n"
        "3) 해결 또는 약속: 즉시 해결 가능하면 처리하고, 불가하면 \"담당 부서에서 3영업일 안에 "
        "연락드리겠습니다\"처럼 기한을 약속합니다.\n"
        "4) 민원 등록: 불만 유형(수수료, 직원 응대, 시스템, 상품 설명)과 고객 요구사항을 기록하고 "
        "민원번호를 안내합니다.\n"
        "5) 상위 이관: 금융감독원 민원 언급, 반복 민원, 보상 요구 시 팀장에게 즉시 이관합니다.\n"
        "금지: 고객 탓으로 돌리는 표현, 근거 없는 보상 약속."),
        ("불만", "민원", "스크립트", "이관"),
    ), (
        "Complaint handling script",
        ("1) Listen and acknowledge: \"I'm very sorry for the trouble. Could you tell me what "
        "happened?\" Do not interrupt.\n"
        "2) Check the facts: repeat back the date, amount and staff involved.\n"
        "3) Resolve or promise: fix it now if you can; if not, give a deadline, e.g. \"the team "
        "in charge will call you within 3 business days.\"\n"
        "4) Log the complaint: record its type (fees, staff, systems, product explanation) and "
        "what the customer asks for, and give the complaint number.\n"
        "5) Escalate to the team leader at once when the customer mentions the Financial "
        "Supervisory Service, complains again, or asks for compensation.\n"
        "Never: blame the customer, or promise compensation without authority."),
        ("complaint", "script", "escalation"),
    )),
    Subject("procedure", ("deposits",), ("transfer_error",), (
        "착오송금 반환 청구 절차",
        ("잘못 보낸 돈은 받는 사람의 동의가 있어야 돌려받을 수 있습니다.\n"
        "1) 송금 내역 확인: 거래 일시, 금액, 받는 은행과 계좌번호.\n"
        "2) 반환 청구 접수: 상대 은행에 반환 요청을 전달합니다 (영업일 기준 1~2일 내 연락).\n"
        "3) 수취인 미반환 시: 예금보험공사 착오송금 반환지원제도 안내 (5만원~5천만원, 송금 후 "
        "1년 이내 신청, 비용 공제 후 반환).\n"
        "4) 보이스피싱 의심 시: 즉시 지급정지 절차로 전환합니다.\n"
        "상담 포인트: 반환 여부와 시기는 수취인에게 달려 있으므로 반환을 약속하지 않습니다."),
        ("착오송금", "이체 오류", "반환"),
    ), (
        "Money sent to the wrong account",
        ("Money sent by mistake comes back only with the recipient's consent.\n"
        "1) Check the transfer: date and time, amount, receiving bank and account.\n"
        "2) File a return request with the receiving bank (they contact the recipient within "
        "1-2 business days).\n"
        "3) Recipient does not return it: explain KDIC's mistaken-remittance recovery service "
        "(KRW 50,000 to 50 million, apply within 1 year of the transfer, returned less costs).\n"
        "4) Suspected voice phishing: switch at once to the payment-suspension procedure.\n"
        "Tip: whether and when the money comes back depends on the recipient; never promise it."),
        ("mistaken transfer", "transfer error", "recovery"),
    )),
    Subject("product", ("fx",), ("fx_remittance",), (
        "해외송금 한도와 수수료",
        ("연간 송금 한도: 증빙 없이 연간 미화 10만불 상당액까지 (건당 5천불 초과 시 거래외국환은행 "
        "지정 필요).\n"
        "수수료: 송금수수료 건당 5천원~2만원(금액별), 전신료 8천원, 중계은행 수수료 별도 "
        "(미화 10~25불 수준).\n"
        "모바일 해외송금: 건당 미화 5천불 이내, 수수료 건당 5천원, 환율 우대 최대 50%.\n"
        "필요 정보: 받는 사람 영문 성명과 주소, 은행명, SWIFT 코드, 계좌번호(IBAN), 송금 사유.\n"
        "도착 기간: 보통 1~3영업일. 현지 공휴일과 중계은행 사정에 따라 늦어질 수 있습니다.\n"
        "유학생·해외체재자 송금은 증빙 제출 시 한도 없이 가능합니다."),
        ("해외송금", "환율", "수수료", "SWIFT"),
    ), (
        "Overseas remittance: limits and fees",
        ("Yearly limit without documents: the equivalent of USD 100,000 a year (over USD 5,000 a "
        "transfer needs a designated foreign-exchange bank).\n"
        "Fees: KRW 5,000-20,000 a transfer by amount, cable charge KRW 8,000, intermediary bank "
        "charges on top (about USD 10-25).\n"
        "Mobile remittance: up to USD 5,000 a transfer, KRW 5,000 fee, up to 50% off the "
        "exchange spread.\n"
        "Needed: recipient's name and address in English, bank name, SWIFT code, account number "
        "(IBAN), purpose.\n"
        "Arrival: usually 1-3 business days; local holidays and intermediary banks can delay it.\n"
        "Students and residents abroad can send without limit when they submit documents."),
        ("overseas remittance", "exchange rate", "fees", "SWIFT"),
    )),
    Subject("procedure", ("deposits", "cards"), ("address_change",), (
        "주소 및 연락처 변경 절차",
        ("본인 확인 후 콜센터에서 주소, 이메일, 자택 전화번호를 변경할 수 있습니다.\n"
        "휴대폰 번호 변경은 보안상 새 번호로 본인인증을 거쳐야 하며, 인증이 안 되면 영업점 방문을 "
        "안내합니다.\n"
        "변경 후 처리: 카드 배송지, 통지서 수령지, 대출 안내문 주소가 함께 바뀌는지 확인합니다.\n"
        "변경 사실은 등록된 기존 번호와 새 번호로 모두 문자 통지됩니다.\n"
        "주의: 제3자가 대신 요청하는 변경은 받지 않습니다 (법정대리인은 서류 지참 후 영업점)."),
        ("주소 변경", "연락처", "고객정보"),
    ), (
        "Changing address and contact details",
        ("After identity verification the call center can change the address, e-mail and home "
        "phone number.\n"
        "A new mobile number must pass an identity check on that number; if it cannot, ask the "
        "customer to visit a branch.\n"
        "Afterwards: check that card delivery, statements and loan notices follow the new "
        "address.\n"
        "The change is notified by text to both the old and the new number.\n"
        "Never accept a change requested by a third party (legal representatives go to a branch "
        "with documents)."),
        ("address change", "contact details", "customer data"),
    )),
    Subject("procedure", ("deposits", "cards", "collections"), ("transfer_error", "complaint"), (
        "보이스피싱 피해 지급정지 절차",
        ("피해 신고 즉시 사기이용계좌에 지급정지를 요청합니다 (전기통신금융사기 피해 환급법).\n"
        "1) 피해 내용 확인: 송금 시각, 금액, 상대 계좌, 사기범이 사칭한 기관.\n"
        "2) 지급정지 요청: 상대 은행에 즉시 전화 요청 후 전산 등록.\n"
        "3) 고객 안내: 3일 이내 경찰서에서 사건사고사실확인원을 발급받아 피해구제신청서와 함께 "
        "제출해야 합니다.\n"
        "4) 추가 피해 방지: 고객 계좌의 비대면 거래 제한, 신분증 재발급과 개인정보 노출자 등록"
        "(pd.fss.or.kr)을 안내합니다.\n"
        "5) 환급: 채권소멸 절차(약 2개월) 후 금융감독원 결정에 따라 환급됩니다."),
        ("보이스피싱", "지급정지", "사기", "피해구제"),
    ), (
        "Voice phishing: suspending the payment",
        ("On a fraud report, request at once that the fraudster's account be frozen (Act on the "
        "Refund of Telecommunications Financial Fraud).\n"
        "1) Gather facts: time and amount of the transfer, receiving account, who the "
        "fraudster pretended to be.\n"
        "2) Request the freeze: phone the receiving bank immediately, then register it.\n"
        "3) Tell the customer: within 3 days, get a case report from the police and submit it "
        "with the damage-relief application.\n"
        "4) Prevent more damage: restrict remote transactions on the customer's accounts, "
        "advise reissuing the ID card and registering as exposed personal data (pd.fss.or.kr).\n"
        "5) Refund: after the claim-extinction process (about 2 months), as the FSS decides."),
        ("voice phishing", "payment suspension", "fraud", "refund"),
    )),
    Subject("procedure", ("deposits", "vip"), ("balance_inquiry",), (
        "잔액 조회와 잔액증명서 발급",
        ("잔액과 최근 거래내역: 본인 확인 후 최근 3개월 내역을 안내할 수 있습니다. 그 이전 내역은 "
        "거래내역서 발급(앱 또는 팩스)을 안내합니다.\n"
        "잔액증명서: 앱에서 즉시 발급(국문/영문, 무료) 또는 영업점 발급(건당 2천원). 특정 기준일 "
        "증명은 영업점에서만 가능합니다.\n"
        "유학·비자용 영문 잔액증명서는 발급일 기준 잔액으로 발급되며, 발급 후 출금이 제한되지 "
        "않습니다.\n"
        "주의: 가족이라도 본인이 아닌 사람에게 잔액을 알려주지 않습니다."),
        ("잔액", "잔액증명서", "거래내역"),
    ), (
        "Balances and balance certificates",
        ("Balance and recent transactions: after identity verification, read out up to the last "
        "3 months; for older ones, offer a statement (app or fax).\n"
        "Balance certificate: at once in the app (Korean or English, free) or at a branch (KRW "
        "2,000 each). A certificate for a past date is issued only at a branch.\n"
        "English certificates for study or visa purposes show the balance on the day of issue; "
        "withdrawals are not blocked afterwards.\n"
        "Never give a balance to anyone but the account holder, family included."),
        ("balance", "balance certificate", "statement"),
    )),
    Subject("procedure", ("deposits",), ("account_opening",), (
        "비대면 계좌 개설 안내",
        ("앱에서 만 14세 이상 본인 명의로 개설할 수 있습니다.\n"
        "절차: 앱 설치 > 휴대폰 본인인증 > 신분증 촬영 > 타행 계좌 1원 인증 또는 영상통화 > "
        "거래 목적 확인 > 비밀번호 설정.\n"
        "단기간 다수 계좌 개설 제한: 최근 20영업일 안에 다른 입출금 계좌를 만들었다면 개설이 "
        "제한됩니다 (대포통장 방지). 급여계좌 등 증빙 시 영업점에서 개설 가능.\n"
        "한도제한계좌: 금융거래 목적 확인 전까지 1일 이체·출금 한도 100만원 (앱 30만원).\n"
        "상담 포인트: 개설이 막히면 오류 코드를 확인하고 제한 사유를 설명합니다."),
        ("계좌 개설", "비대면", "한도제한계좌"),
    ), (
        "Opening an account online",
        ("Customers aged 14 and over can open an account in their own name in the app.\n"
        "Steps: install the app > mobile identity check > photo of the ID card > KRW 1 transfer "
        "check from another bank's account or a video call > purpose of the account > PIN.\n"
        "Many accounts in a short time: opening is refused if another current account was "
        "opened in the last 20 business days (against mule accounts); with proof (e.g. a "
        "salary account) a branch can open it.\n"
        "Limited account: until the purpose is documented, transfers and withdrawals are capped "
        "at KRW 1,000,000 a day (KRW 300,000 in the app).\n"
        "Tip: if opening fails, ask for the error code and explain the reason."),
        ("account opening", "online", "limited account"),
    )),
    Subject("script", ("collections",), (), (
        "연체 안내 통화 스크립트",
        ("\"안녕하세요, 한결은행 ○○○입니다. ○○○ 고객님 본인 맞으신가요?\" - 본인이 아니면 연체 "
        "사실을 말하지 않고 \"다시 연락드리겠습니다\"로 마칩니다.\n"
        "\"○월 ○일 결제 예정이던 대출 이자 ○○○원이 아직 입금되지 않아 안내드립니다.\"\n"
        "\"연체가 5영업일 이상 계속되면 신용평가에 반영될 수 있어 미리 말씀드립니다.\"\n"
        "\"입금 가능하신 날짜를 말씀해 주시면 기록해 두겠습니다.\" - 납부 약속 일자와 금액을 "
        "기록합니다.\n"
        "금지: 오후 9시~오전 8시 연락, 하루 2회 초과 연락, 가족·직장에 연체 사실 고지 "
        "(채권추심법)."),
        ("연체", "추심", "납부 약속", "스크립트"),
    ), (
        "Overdue payment reminder script",
        ("\"Hello, this is ___ from Hangyeol Bank. Am I speaking with ___?\" - if not the "
        "customer, say nothing about the debt and end with \"we will call again.\"\n"
        "\"The loan interest of KRW ___ due on ___ has not been paid yet.\"\n"
        "\"If it stays overdue for 5 business days or more it may be reported to the credit "
        "bureau, so we wanted to let you know in time.\"\n"
        "\"When could you pay? I will note the date.\" - record the promised date and amount.\n"
        "Never: call between 9 pm and 8 am, call more than twice a day, or tell family or an "
        "employer about the debt (Fair Debt Collection Act)."),
        ("overdue", "collections", "promise to pay", "script"),
    )),
    Subject("product", ("cards",), ("product_inquiry",), (
        "한결 포인트 신용카드 상품 안내",
        ("연회비: 국내전용 1만원, 해외겸용 1만2천원. 첫해 연회비는 전월 실적 30만원 이상 시 면제.\n"
        "적립: 국내 가맹점 0.7%, 온라인쇼핑·배달앱 1.5%, 해외 결제 2% 포인트 적립 (월 최대 3만점).\n"
        "전월 실적 제외: 세금, 상품권, 교통요금 자동충전.\n"
        "포인트 사용: 1포인트 = 1원, 결제대금 차감 또는 현금 전환(1만점 이상).\n"
        "상담 포인트: 마케팅 동의가 없는 고객에게는 먼저 권유하지 않습니다. 카드 발급은 "
        "신용평가 결과에 따라 거절될 수 있음을 안내합니다."),
        ("신용카드", "포인트", "연회비"),
    ), (
        "Hangyeol Points credit card",
        ("Annual fee: KRW 10,000 domestic, KRW 12,000 international; first year free with KRW "
        "300,000 spent in the previous month.\n"
        "Points: 0.7% at Korean merchants, 1.5% on online shopping and delivery apps, 2% "
        "abroad (at most 30,000 points a month).\n"
        "Not counted as spending: taxes, gift certificates, transit card top-ups.\n"
        "Using points: 1 point = KRW 1, off the bill or as cash (from 10,000 points).\n"
        "Tip: do not offer the card to customers without marketing consent; say that issuing "
        "depends on the credit assessment."),
        ("credit card", "points", "annual fee"),
    )),
)


def seed_kb(engine: Engine, now: datetime | None = None) -> int:
    """Write the demo articles (both languages); returns how many."""
    at = now or datetime.now(UTC)
    actor = User(username=SEED_ACTOR, password_hash="", role="admin")
    written = 0
    with Session(engine) as session:
        if engine.dialect.name == "sqlite":  # rows left by an earlier seed of a reset bank
            session.execute(text(f"DELETE FROM {FTS_TABLE}"))
        for subject in SUBJECTS:
            for language, (title, body, tags) in (("ko", subject.ko), ("en", subject.en)):
                fields = ArticleFields(title=title, body=body, language=language,
                                       kind=subject.kind, tags=list(tags),
                                       queues=list(subject.queues),
                                       reasons=list(subject.reasons))
                create_article(session, fields, actor, at, audit=False)
                written += 1
        session.commit()
    return written
