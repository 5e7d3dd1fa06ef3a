import ApiStage

/// Api: the jobs API (`POST /v1/jobs`, `POST /v1/images`, jobs and items, the output CSV, `/openapi.json`).
await ApiService.main()
