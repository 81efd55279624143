# ECM members as the health plans send them (issue 24): a Member Information
# File through POST .../ecm/mifs, the member's facts in GET /patients and the
# care team, their history, the access log, hostile files, and the time of
# 10,000 members in one request.

P=/v1/admin/clinic/ecm
MIFS=$P/mifs
HDR=MEMBER_ID,CIN,FIRST_NAME,LAST_NAME,DOB,ACUITY_LEVEL,ECM_SERVICE_AUTH_ID,ECM_BENEFIT_AUTH_EFF_DATE,ECM_BENEFIT_AUTH_END_DATE,MEMBER_RECORD_STATUS,PROVIDER_ID

# mif_json TEXT [TYPE]: the body of POST .../mifs carrying TEXT (a file) as a data URI.
mif_json() {
	printf '{"mif":{"file":"data:text/csv;base64,%s","file_type":"%s"}}' \
		"$(printf '%s' "$1" | base64 -w0)" "${2:-csv}"
}

# mif TEXT [TYPE]: import TEXT.
mif() {
	req POST $MIFS "$(mif_json "$@")"
}

test_mif_smoke() {
	mif "$HDR
MEM0000000001,CIN123456,John,Roe,04-12-1961,high,AUTH123456,01-01-2024,12-31-2024,new_member,456
"
	expect_status 200
	echo "$BODY"
}
