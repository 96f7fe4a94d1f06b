// SPDX-License-Identifier: MIT
/*
 * out-json.c — `passthru verify --format json`.
 *
 *	{
 *	  "format": "passthru-verify",
 *	  "version": 1,
 *	  "ok": false,			// every check passed (no fail, no skip)
 *	  "summary": { "total": 3, "passed": 1, "failed": 1, "skipped": 1 },
 *	  "results": [ { "check": "host.iommu-enabled", "device": "0000:00:03.0",
 *	      "iommu": null, "status": "pass", "evidence": "...",
 *	      "expected": null, "fix": null, "reason": null, "seconds": 0.001 } ],
 *	  "notes": [ "..." ]
 *	}
 *
 * Every key is always present (null when it does not apply), so scripts
 * never need to test for a key.
 */
#include <errno.h>

#include "lib/json.h"
#include "verify/verify.h"

int vfy_write_json(const struct vfy_report *rep, FILE *out)
{
	struct json j;

	json_init(&j, out);
	json_obj_begin(&j, NULL);
	json_str(&j, "format", "passthru-verify");
	json_int(&j, "version", 1);
	json_bool(&j, "ok", vfy_all_passed(rep, false));
	json_obj_begin(&j, "summary");
	json_int(&j, "total", rep->nr);
	json_int(&j, "passed", vfy_count(rep, VFY_PASS));
	json_int(&j, "failed", vfy_count(rep, VFY_FAIL));
	json_int(&j, "skipped", vfy_count(rep, VFY_SKIP));
	json_obj_end(&j);
	json_arr_begin(&j, "results");
	for (int i = 0; i < rep->nr; i++) {
		const struct vfy_result *r = rep->r[i];
		enum vfy_status st = vfy_result_status(r);

		json_obj_begin(&j, NULL);
		json_str(&j, "check", r->check);
		json_str(&j, "device", r->device);
		json_str(&j, "iommu", r->iommu);
		json_str(&j, "status", vfy_status_name(st));
		json_str(&j, "evidence", vfy_seen(r));
		json_str(&j, "expected", vfy_expected(r));
		json_str(&j, "fix", vfy_fix(r));
		json_str(&j, "reason", vfy_reason(r));
		json_double(&j, "seconds", r->seconds);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_arr_begin(&j, "notes");
	for (int i = 0; i < rep->nr_notes; i++)
		json_str(&j, NULL, rep->notes[i]);
	json_arr_end(&j);
	json_obj_end(&j);
	json_finish(&j);
	return ferror(out) ? -EIO : 0;
}
