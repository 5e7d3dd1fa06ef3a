/// The jobs API's OpenAPI 3.1 document, served at `GET /openapi.json` and embedded in the binary
/// so what is served is what was built. Keep it in step with `ApiRoutes` (the schemathesis test
/// checks every route's answers against it).
enum OpenAPIDocument {
    static let json = #"""
{
  "components": {
    "responses": {
      "BadRequest": {
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        },
        "description": "Malformed input; `field`, `row` or `header` names what."
      },
      "Conflict": {
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        },
        "description": "The job's state does not allow this (cancel a final job, retry a running or rejected one)."
      },
      "NotFound": {
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        },
        "description": "No such job, or the resource does not exist yet."
      },
      "TooLarge": {
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        },
        "description": "The upload is over the size limit; nothing was stored."
      },
      "TooManyRequests": {
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        },
        "description": "A limit of the caller's account is reached (jobs queued or running at once, images per UTC day); nothing was stored.",
        "headers": {
          "Retry-After": {
            "description": "Seconds until the request may succeed.",
            "schema": {
              "minimum": 1,
              "type": "integer"
            }
          }
        }
      },
      "Unauthorized": {
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        },
        "description": "No bearer token, or one that does not identify a current user (expired, wrong audience or issuer, bad signature, unknown key, revoked, deleted or disabled account); `reason` says which, never quoting the token.",
        "headers": {
          "WWW-Authenticate": {
            "description": "`Bearer realm=\"pixelpipe\"`, with `error=\"invalid_token\"` when a token was refused.",
            "schema": {
              "type": "string"
            }
          }
        }
      },
      "Unavailable": {
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        },
        "description": "A backend did not answer; retry."
      },
      "Unprocessable": {
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        },
        "description": "The Idempotency-Key was used with a different request."
      },
      "UnsupportedMediaType": {
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        },
        "description": "The content type is not accepted here."
      }
    },
    "schemas": {
      "Caller": {
        "additionalProperties": false,
        "properties": {
          "admin": {
            "type": "boolean"
          },
          "email": {
            "type": "string"
          },
          "kind": {
            "enum": [
              "user",
              "serviceAccount"
            ],
            "type": "string"
          },
          "limits": {
            "additionalProperties": false,
            "description": "Absent for admins, who are not limited.",
            "properties": {
              "maxActiveJobs": {
                "type": "integer"
              },
              "maxImagesPerDay": {
                "type": "integer"
              }
            },
            "required": [
              "maxActiveJobs",
              "maxImagesPerDay"
            ],
            "type": "object"
          },
          "uid": {
            "type": "string"
          },
          "usage": {
            "additionalProperties": false,
            "properties": {
              "activeJobs": {
                "type": "integer"
              },
              "imagesToday": {
                "type": "integer"
              }
            },
            "required": [
              "activeJobs",
              "imagesToday"
            ],
            "type": "object"
          }
        },
        "required": [
          "uid",
          "admin",
          "kind",
          "usage"
        ],
        "type": "object"
      },
      "ClientConfiguration": {
        "additionalProperties": false,
        "properties": {
          "apiKey": {
            "type": "string"
          },
          "identityToolkitURL": {
            "type": "string"
          },
          "projectId": {
            "type": "string"
          },
          "secureTokenURL": {
            "type": "string"
          }
        },
        "required": [
          "projectId",
          "apiKey",
          "identityToolkitURL",
          "secureTokenURL"
        ],
        "type": "object"
      },
      "ImageRequest": {
        "additionalProperties": false,
        "properties": {
          "recipe": {
            "description": "A recipe override.",
            "type": "object"
          },
          "url": {
            "description": "An http(s) URL of the image.",
            "minLength": 8,
            "pattern": "^https?://",
            "type": "string"
          },
          "webhookUrl": {
            "description": "An http(s) URL the signed webhook goes to.",
            "pattern": "^https?://[^/?#]+",
            "type": "string"
          }
        },
        "required": [
          "url"
        ],
        "type": "object"
      },
      "Item": {
        "additionalProperties": false,
        "properties": {
          "analysis": {
            "description": "Dimensions, format, alpha, dominant colour, perceptual hash.",
            "type": "object"
          },
          "attempt": {
            "minimum": 1,
            "type": "integer"
          },
          "id": {
            "description": "ROW-INDEX",
            "type": "string"
          },
          "index": {
            "minimum": 0,
            "type": "integer"
          },
          "outputs": {
            "items": {
              "additionalProperties": false,
              "properties": {
                "bytes": {
                  "type": "integer"
                },
                "contentType": {
                  "type": "string"
                },
                "format": {
                  "type": "string"
                },
                "height": {
                  "type": "integer"
                },
                "href": {
                  "description": "The API path serving this image under the caller's authority (`/v1/jobs/JOB/items/ITEM/outputs/SIZE.FORMAT`).",
                  "type": "string"
                },
                "size": {
                  "type": "string"
                },
                "url": {
                  "type": "string"
                },
                "width": {
                  "type": "integer"
                }
              },
              "required": [
                "size",
                "format",
                "width",
                "height",
                "url",
                "bytes",
                "contentType"
              ],
              "type": "object"
            },
            "type": "array"
          },
          "product": {
            "type": "string"
          },
          "reason": {
            "type": "string"
          },
          "recordedAt": {
            "description": "RFC 3339 timestamp.",
            "type": "string"
          },
          "row": {
            "minimum": 1,
            "type": "integer"
          },
          "status": {
            "$ref": "#/components/schemas/ItemStatus"
          },
          "url": {
            "type": "string"
          }
        },
        "required": [
          "id",
          "row",
          "index",
          "product",
          "status",
          "recordedAt",
          "outputs"
        ],
        "type": "object"
      },
      "ItemPage": {
        "additionalProperties": false,
        "properties": {
          "items": {
            "items": {
              "$ref": "#/components/schemas/Item"
            },
            "type": "array"
          },
          "nextPageToken": {
            "type": "string"
          }
        },
        "required": [
          "items"
        ],
        "type": "object"
      },
      "ItemStatus": {
        "enum": [
          "succeeded",
          "failed"
        ],
        "type": "string"
      },
      "Job": {
        "additionalProperties": false,
        "properties": {
          "counts": {
            "additionalProperties": false,
            "properties": {
              "cancelled": {
                "minimum": 0,
                "type": "integer"
              },
              "failed": {
                "minimum": 0,
                "type": "integer"
              },
              "missing": {
                "minimum": 0,
                "type": "integer"
              },
              "remaining": {
                "minimum": 0,
                "type": "integer"
              },
              "succeeded": {
                "minimum": 0,
                "type": "integer"
              },
              "total": {
                "minimum": 0,
                "type": "integer"
              }
            },
            "required": [
              "total",
              "succeeded",
              "failed",
              "remaining",
              "missing",
              "cancelled"
            ],
            "type": "object"
          },
          "createdAt": {
            "description": "RFC 3339 timestamp.",
            "type": "string"
          },
          "error": {
            "description": "Why a rejected job was rejected.",
            "type": "string"
          },
          "etaSeconds": {
            "description": "Running jobs only.",
            "minimum": 0,
            "type": "integer"
          },
          "finishedAt": {
            "description": "RFC 3339 timestamp.",
            "type": "string"
          },
          "id": {
            "pattern": "^[0-9a-f]{16}$",
            "type": "string"
          },
          "links": {
            "additionalProperties": false,
            "properties": {
              "cancel": {
                "type": "string"
              },
              "items": {
                "type": "string"
              },
              "outputCsv": {
                "type": "string"
              },
              "results": {
                "type": "string"
              },
              "retry": {
                "type": "string"
              },
              "self": {
                "type": "string"
              }
            },
            "required": [
              "self",
              "items",
              "outputCsv",
              "results",
              "cancel",
              "retry"
            ],
            "type": "object"
          },
          "owner": {
            "description": "The uid of the user who submitted the job.",
            "type": "string"
          },
          "progress": {
            "maximum": 1,
            "minimum": 0,
            "type": "number"
          },
          "ratePerSecond": {
            "description": "Running jobs only.",
            "minimum": 0,
            "type": "number"
          },
          "recipe": {
            "description": "The effective recipe.",
            "type": "object"
          },
          "source": {
            "additionalProperties": false,
            "properties": {
              "name": {
                "type": "string"
              },
              "uri": {
                "description": "gs://BUCKET/NAME#GENERATION",
                "type": "string"
              }
            },
            "required": [
              "uri",
              "name"
            ],
            "type": "object"
          },
          "startedAt": {
            "description": "RFC 3339 timestamp.",
            "type": "string"
          },
          "status": {
            "$ref": "#/components/schemas/JobStatus"
          },
          "traceId": {
            "description": "The job's trace id (W3C, 32 hex digits): every stage's logs of the job carry it.",
            "pattern": "^[0-9a-f]{32}$",
            "type": "string"
          },
          "webhookUrl": {
            "type": "string"
          }
        },
        "required": [
          "id",
          "status",
          "source",
          "counts",
          "progress",
          "recipe",
          "createdAt",
          "links"
        ],
        "type": "object"
      },
      "JobPage": {
        "additionalProperties": false,
        "properties": {
          "jobs": {
            "items": {
              "$ref": "#/components/schemas/Job"
            },
            "type": "array"
          },
          "nextPageToken": {
            "type": "string"
          }
        },
        "required": [
          "jobs"
        ],
        "type": "object"
      },
      "JobStatus": {
        "enum": [
          "queued",
          "running",
          "finished",
          "finished_with_errors",
          "rejected",
          "timed_out",
          "cancelled"
        ],
        "type": "string"
      },
      "Problem": {
        "properties": {
          "detail": {
            "type": "string"
          },
          "field": {
            "type": "string"
          },
          "header": {
            "type": "string"
          },
          "instance": {
            "type": "string"
          },
          "reason": {
            "description": "Why a token was refused (401): a fixed phrase such as `expired` or `token revoked`.",
            "type": "string"
          },
          "retryAfter": {
            "description": "Seconds until the request may succeed (429).",
            "type": "integer"
          },
          "row": {
            "type": "integer"
          },
          "status": {
            "type": "integer"
          },
          "title": {
            "type": "string"
          },
          "type": {
            "type": "string"
          }
        },
        "required": [
          "type",
          "title",
          "status",
          "detail"
        ],
        "type": "object"
      }
    },
    "securitySchemes": {
      "firebaseIdToken": {
        "bearerFormat": "JWT",
        "description": "A Firebase Authentication ID token of the project (sign in with the Identity Toolkit endpoints `GET /config.json` names), or a Google-signed identity token of an allowed service account.",
        "scheme": "bearer",
        "type": "http"
      }
    }
  },
  "info": {
    "description": "Submit CSVs of product images and single images to the PixelPipe pipeline, and follow the jobs they become. Errors are application/problem+json (RFC 9457). Every /v1 call needs `Authorization: Bearer ID_TOKEN`; a user sees and acts on their own jobs only.",
    "title": "PixelPipe jobs API",
    "version": "1.0.0"
  },
  "openapi": "3.1.0",
  "paths": {
    "/config.json": {
      "get": {
        "operationId": "getClientConfiguration",
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ClientConfiguration"
                }
              }
            },
            "description": "The sign-in configuration."
          }
        },
        "security": [],
        "summary": "What a client needs to sign users in: the Firebase project, its Web API key, and the Identity Toolkit and Secure Token endpoints."
      }
    },
    "/healthz": {
      "get": {
        "operationId": "health",
        "responses": {
          "200": {
            "content": {
              "text/plain": {
                "schema": {
                  "type": "string"
                }
              }
            },
            "description": "ok"
          }
        },
        "security": [],
        "summary": "Liveness."
      }
    },
    "/openapi.json": {
      "get": {
        "operationId": "getOpenAPI",
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            },
            "description": "The OpenAPI 3.1 document."
          }
        },
        "security": [],
        "summary": "This document."
      }
    },
    "/v1/images": {
      "post": {
        "operationId": "createImageJob",
        "parameters": [
          {
            "description": "For a raw image body: a recipe override (JSON object).",
            "in": "query",
            "name": "recipe",
            "required": false,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "The product name of the item (default `image`).",
            "in": "query",
            "name": "product",
            "required": false,
            "schema": {
              "maxLength": 200,
              "minLength": 1,
              "type": "string"
            }
          }
        ],
        "requestBody": {
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ImageRequest"
              }
            },
            "image/jpeg": {
              "schema": {
                "contentMediaType": "image/jpeg",
                "description": "The image's bytes (any bytes are stored; what is not an image fails its item)."
              }
            },
            "image/png": {
              "schema": {
                "contentMediaType": "image/png",
                "description": "The image's bytes (any bytes are stored; what is not an image fails its item)."
              }
            },
            "image/webp": {
              "schema": {
                "contentMediaType": "image/webp",
                "description": "The image's bytes (any bytes are stored; what is not an image fails its item)."
              }
            },
            "multipart/form-data": {
              "encoding": {
                "image": {
                  "contentType": "image/jpeg, image/png, image/webp"
                }
              },
              "schema": {
                "properties": {
                  "image": {
                    "contentMediaType": "image/jpeg",
                    "description": "The image; image/jpeg, image/png, image/webp, image/gif, image/avif, image/heic or image/tiff. The last part.",
                    "type": "string"
                  },
                  "recipe": {
                    "description": "A recipe override (JSON object). Must come before image.",
                    "type": "string"
                  },
                  "webhookUrl": {
                    "description": "An http(s) webhook URL. Must come before image.",
                    "type": "string"
                  }
                },
                "required": [
                  "image"
                ],
                "type": "object"
              }
            }
          },
          "required": true
        },
        "responses": {
          "202": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Job"
                }
              }
            },
            "description": "Accepted: the job (status `queued` until ingest has created it).",
            "headers": {
              "Idempotent-Replayed": {
                "description": "`true` when the answer repeats an earlier request with the same Idempotency-Key.",
                "schema": {
                  "type": "string"
                }
              },
              "Location": {
                "description": "The job's URL, /v1/jobs/{id}.",
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "413": {
            "$ref": "#/components/responses/TooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        },
        "summary": "Submit one image: a job of one item through the same pipeline."
      }
    },
    "/v1/jobs": {
      "get": {
        "operationId": "listJobs",
        "parameters": [
          {
            "description": "Only jobs in this status.",
            "in": "query",
            "name": "status",
            "required": false,
            "schema": {
              "$ref": "#/components/schemas/JobStatus"
            }
          },
          {
            "description": "Results per page, 1 to 1000 (default 50).",
            "in": "query",
            "name": "pageSize",
            "required": false,
            "schema": {
              "default": 50,
              "maximum": 1000,
              "minimum": 1,
              "type": "integer"
            }
          },
          {
            "description": "nextPageToken of the previous page, unchanged (opaque; anything else is a 400 naming pageToken).",
            "in": "query",
            "name": "pageToken",
            "required": false,
            "schema": {
              "maxLength": 512,
              "minLength": 1,
              "pattern": "^[A-Za-z0-9_-]+$",
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/JobPage"
                }
              }
            },
            "description": "A page of jobs."
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        },
        "summary": "Jobs, newest first."
      },
      "post": {
        "operationId": "createJob",
        "parameters": [
          {
            "description": "Makes a retried request answer the same job; the same key with a different request is a 422.",
            "in": "header",
            "name": "Idempotency-Key",
            "required": false,
            "schema": {
              "maxLength": 255,
              "minLength": 1,
              "type": "string"
            }
          },
          {
            "description": "For a text/csv body: `attachment; filename=\"products.csv\"` names the file.",
            "in": "header",
            "name": "Content-Disposition",
            "required": false,
            "schema": {
              "type": "string"
            }
          }
        ],
        "requestBody": {
          "content": {
            "multipart/form-data": {
              "encoding": {
                "csv": {
                  "contentType": "text/csv"
                }
              },
              "schema": {
                "properties": {
                  "csv": {
                    "contentMediaType": "text/csv",
                    "description": "The CSV file: a header with a product name and an image URL column. The last part.",
                    "type": "string"
                  },
                  "recipe": {
                    "description": "A recipe override, as a JSON object merged over the default recipe. Must come before csv.",
                    "type": "string"
                  },
                  "webhookUrl": {
                    "description": "An http(s) URL the signed webhook goes to. Must come before csv.",
                    "type": "string"
                  }
                },
                "required": [
                  "csv"
                ],
                "type": "object"
              }
            },
            "text/csv": {
              "schema": {
                "type": "string"
              }
            }
          },
          "required": true
        },
        "responses": {
          "202": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Job"
                }
              }
            },
            "description": "Accepted: the job (status `queued` until ingest has created it).",
            "headers": {
              "Idempotent-Replayed": {
                "description": "`true` when the answer repeats an earlier request with the same Idempotency-Key.",
                "schema": {
                  "type": "string"
                }
              },
              "Location": {
                "description": "The job's URL, /v1/jobs/{id}.",
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "413": {
            "$ref": "#/components/responses/TooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "422": {
            "$ref": "#/components/responses/Unprocessable"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        },
        "summary": "Submit a CSV; it is streamed into the uploads bucket and ingested."
      }
    },
    "/v1/jobs/{id}": {
      "get": {
        "operationId": "getJob",
        "parameters": [
          {
            "description": "The job id: 16 lower-case hex digits.",
            "in": "path",
            "name": "id",
            "required": true,
            "schema": {
              "pattern": "^[0-9a-f]{16}$",
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Job"
                }
              }
            },
            "description": "The job."
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        },
        "summary": "One job."
      }
    },
    "/v1/jobs/{id}/items": {
      "get": {
        "operationId": "listItems",
        "parameters": [
          {
            "description": "The job id: 16 lower-case hex digits.",
            "in": "path",
            "name": "id",
            "required": true,
            "schema": {
              "pattern": "^[0-9a-f]{16}$",
              "type": "string"
            }
          },
          {
            "description": "Only items in this status.",
            "in": "query",
            "name": "status",
            "required": false,
            "schema": {
              "$ref": "#/components/schemas/ItemStatus"
            }
          },
          {
            "description": "Results per page, 1 to 1000 (default 100).",
            "in": "query",
            "name": "pageSize",
            "required": false,
            "schema": {
              "default": 100,
              "maximum": 1000,
              "minimum": 1,
              "type": "integer"
            }
          },
          {
            "description": "nextPageToken of the previous page, unchanged (opaque; anything else is a 400 naming pageToken).",
            "in": "query",
            "name": "pageToken",
            "required": false,
            "schema": {
              "maxLength": 512,
              "minLength": 1,
              "pattern": "^[A-Za-z0-9_-]+$",
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ItemPage"
                }
              }
            },
            "description": "A page of items."
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        },
        "summary": "A job's items in row order."
      }
    },
    "/v1/jobs/{id}/items/{item}/outputs/{file}": {
      "get": {
        "operationId": "getOutputImage",
        "parameters": [
          {
            "description": "The job id: 16 lower-case hex digits.",
            "in": "path",
            "name": "id",
            "required": true,
            "schema": {
              "pattern": "^[0-9a-f]{16}$",
              "type": "string"
            }
          },
          {
            "description": "The item id, ROW-INDEX.",
            "in": "path",
            "name": "item",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "description": "SIZE.FORMAT of one of the item's outputs, e.g. `thumb.webp`.",
            "in": "path",
            "name": "file",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "content": {
              "image/*": {
                "schema": {
                  "format": "binary",
                  "type": "string"
                }
              }
            },
            "description": "The image."
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        },
        "summary": "One output image of an item, streamed under the caller's authority."
      }
    },
    "/v1/jobs/{id}/output.csv": {
      "get": {
        "operationId": "getOutputCsv",
        "parameters": [
          {
            "description": "The job id: 16 lower-case hex digits.",
            "in": "path",
            "name": "id",
            "required": true,
            "schema": {
              "pattern": "^[0-9a-f]{16}$",
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "content": {
              "text/csv": {
                "schema": {
                  "type": "string"
                }
              }
            },
            "description": "The output CSV."
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        },
        "summary": "The job's output CSV, streamed (404 until it is written)."
      }
    },
    "/v1/jobs/{id}/results.ndjson": {
      "get": {
        "operationId": "getResults",
        "parameters": [
          {
            "description": "The job id: 16 lower-case hex digits.",
            "in": "path",
            "name": "id",
            "required": true,
            "schema": {
              "pattern": "^[0-9a-f]{16}$",
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/x-ndjson": {
                "schema": {
                  "type": "string"
                }
              }
            },
            "description": "The results."
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        },
        "summary": "The job's results, one JSON object per item and line, streamed (404 until the job is final)."
      }
    },
    "/v1/jobs/{id}:cancel": {
      "post": {
        "operationId": "cancelJob",
        "parameters": [
          {
            "description": "The job id: 16 lower-case hex digits.",
            "in": "path",
            "name": "id",
            "required": true,
            "schema": {
              "pattern": "^[0-9a-f]{16}$",
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Job"
                }
              }
            },
            "description": "The job, its cancel requested (or already cancelled)."
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        },
        "summary": "Cancel a running job: no further image starts; it is finalized as cancelled."
      }
    },
    "/v1/jobs/{id}:retry": {
      "post": {
        "operationId": "retryJob",
        "parameters": [
          {
            "description": "The job id: 16 lower-case hex digits.",
            "in": "path",
            "name": "id",
            "required": true,
            "schema": {
              "pattern": "^[0-9a-f]{16}$",
              "type": "string"
            }
          }
        ],
        "responses": {
          "202": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Job"
                }
              }
            },
            "description": "The job, running again."
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        },
        "summary": "Run a finalized job's failed, missing and cancelled images again."
      }
    },
    "/v1/me": {
      "get": {
        "operationId": "getCaller",
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Caller"
                }
              }
            },
            "description": "The caller."
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        },
        "summary": "Who the token identifies, their limits and what they have used."
      }
    }
  },
  "security": [
    {
      "firebaseIdToken": []
    }
  ]
}
"""#
}
