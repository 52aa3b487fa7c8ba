/**
 * ISO reference lists used to validate customer requests. Pure data: no I/O, nothing read at run time.
 *
 * Sources (checked when this file was written):
 * - ISO 3166-1: all 249 officially assigned alpha-2 / alpha-3 pairs, as published in the `iso-codes`
 *   project (Debian package iso-codes 4.15.0). F&O's `LogisticsAddressCountryRegion` uses the alpha-3
 *   code as `CountryRegionId` in standard data (USA, GBR, DEU, ...).
 * - ISO 4217: the active currency codes from the same source, plus ZWG (Zimbabwe Gold, 2024) and XCG
 *   (Caribbean guilder, 2025), which are newer than that release. Left out on purpose: codes that are
 *   not money a customer can be invoiced in — precious metals (XAU, XAG, XPD, XPT), bond-market units
 *   (XBA–XBD), SDR (XDR), SUCRE (XSU), ADB unit (XUA), the testing code XTS, "no currency" XXX — and the
 *   fund codes (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW). Superseded codes still held by many F&O
 *   environments (HRK, ANG, SLL, ZWL) are kept: F&O itself is the final judge of whether a currency is
 *   set up, this list only catches typos and invented codes early.
 *
 * To update: edit the lists below (codes only, whitespace-separated); the tests check their shape.
 */

/** `alpha2:alpha3` pairs, sorted by alpha-2. */
const COUNTRY_PAIRS = `
  AD:AND AE:ARE AF:AFG AG:ATG AI:AIA AL:ALB AM:ARM AO:AGO AQ:ATA AR:ARG AS:ASM AT:AUT
  AU:AUS AW:ABW AX:ALA AZ:AZE BA:BIH BB:BRB BD:BGD BE:BEL BF:BFA BG:BGR BH:BHR BI:BDI
  BJ:BEN BL:BLM BM:BMU BN:BRN BO:BOL BQ:BES BR:BRA BS:BHS BT:BTN BV:BVT BW:BWA BY:BLR
  BZ:BLZ CA:CAN CC:CCK CD:COD CF:CAF CG:COG CH:CHE CI:CIV CK:COK CL:CHL CM:CMR CN:CHN
  CO:COL CR:CRI CU:CUB CV:CPV CW:CUW CX:CXR CY:CYP CZ:CZE DE:DEU DJ:DJI DK:DNK DM:DMA
  DO:DOM DZ:DZA EC:ECU EE:EST EG:EGY EH:ESH ER:ERI ES:ESP ET:ETH FI:FIN FJ:FJI FK:FLK
  FM:FSM FO:FRO FR:FRA GA:GAB GB:GBR GD:GRD GE:GEO GF:GUF GG:GGY GH:GHA GI:GIB GL:GRL
  GM:GMB GN:GIN GP:GLP GQ:GNQ GR:GRC GS:SGS GT:GTM GU:GUM GW:GNB GY:GUY HK:HKG HM:HMD
  HN:HND HR:HRV HT:HTI HU:HUN ID:IDN IE:IRL IL:ISR IM:IMN IN:IND IO:IOT IQ:IRQ IR:IRN
  IS:ISL IT:ITA JE:JEY JM:JAM JO:JOR JP:JPN KE:KEN KG:KGZ KH:KHM KI:KIR KM:COM KN:KNA
  KP:PRK KR:KOR KW:KWT KY:CYM KZ:KAZ LA:LAO LB:LBN LC:LCA LI:LIE LK:LKA LR:LBR LS:LSO
  LT:LTU LU:LUX LV:LVA LY:LBY MA:MAR MC:MCO MD:MDA ME:MNE MF:MAF MG:MDG MH:MHL MK:MKD
  ML:MLI MM:MMR MN:MNG MO:MAC MP:MNP MQ:MTQ MR:MRT MS:MSR MT:MLT MU:MUS MV:MDV MW:MWI
  MX:MEX MY:MYS MZ:MOZ NA:NAM NC:NCL NE:NER NF:NFK NG:NGA NI:NIC NL:NLD NO:NOR NP:NPL
  NR:NRU NU:NIU NZ:NZL OM:OMN PA:PAN PE:PER PF:PYF PG:PNG PH:PHL PK:PAK PL:POL PM:SPM
  PN:PCN PR:PRI PS:PSE PT:PRT PW:PLW PY:PRY QA:QAT RE:REU RO:ROU RS:SRB RU:RUS RW:RWA
  SA:SAU SB:SLB SC:SYC SD:SDN SE:SWE SG:SGP SH:SHN SI:SVN SJ:SJM SK:SVK SL:SLE SM:SMR
  SN:SEN SO:SOM SR:SUR SS:SSD ST:STP SV:SLV SX:SXM SY:SYR SZ:SWZ TC:TCA TD:TCD TF:ATF
  TG:TGO TH:THA TJ:TJK TK:TKL TL:TLS TM:TKM TN:TUN TO:TON TR:TUR TT:TTO TV:TUV TW:TWN
  TZ:TZA UA:UKR UG:UGA UM:UMI US:USA UY:URY UZ:UZB VA:VAT VC:VCT VE:VEN VG:VGB VI:VIR
  VN:VNM VU:VUT WF:WLF WS:WSM YE:YEM YT:MYT ZA:ZAF ZM:ZMB ZW:ZWE
`;

const CURRENCIES = `
  AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL
  BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD
  EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR
  ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR
  LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO
  NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG
  SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD
  TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
  ZWL
`;

const words = (text: string): string[] => text.split(/\s+/).filter((word) => word.length > 0);

/** ISO 3166-1 alpha-2 code to alpha-3 code, e.g. `US` to `USA`. */
export const ALPHA2_TO_ALPHA3: ReadonlyMap<string, string> = new Map(
  words(COUNTRY_PAIRS).map((pair) => pair.split(':') as [string, string]),
);

/** ISO 3166-1 alpha-3 code to alpha-2 code, e.g. `USA` to `US` (the same pairs read backwards). */
export const ALPHA3_TO_ALPHA2: ReadonlyMap<string, string> = new Map(
  [...ALPHA2_TO_ALPHA3].map(([alpha2, alpha3]) => [alpha3, alpha2]),
);

/** Every officially assigned ISO 3166-1 alpha-3 code. */
export const COUNTRY_ALPHA3_CODES: ReadonlySet<string> = new Set(ALPHA2_TO_ALPHA3.values());

/** ISO 4217 codes of currencies a customer can be invoiced in (see the note above for what is left out). */
export const CURRENCY_CODES: ReadonlySet<string> = new Set(words(CURRENCIES));

export const isCountryAlpha3 = (code: string): boolean => COUNTRY_ALPHA3_CODES.has(code);
export const isCurrencyCode = (code: string): boolean => CURRENCY_CODES.has(code);
