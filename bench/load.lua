-- wrk script for bench/load: one scenario per run, chosen by the environment.
--   LOAD_METHOD, LOAD_PATH, LOAD_BODY_FILE (a JSON body), LOAD_TOKEN (a bearer token)
--   LOAD_IDS_OUT: (create) append the new cases' "id version" lines to this file
--   LOAD_IDS_IN:  (acknowledge) take one case per request from this file, in turn, and put its
--                 id into LOAD_PATH's "{id}" and its version into the body's "{version}"
--   LOAD_RESULT:  write "requests rps p50_ms p99_ms errors" here when done
-- Errors: non-2xx answers plus socket errors (connect, read, write, timeout).

local method = os.getenv("LOAD_METHOD") or "GET"
local path = os.getenv("LOAD_PATH") or "/"
local token = os.getenv("LOAD_TOKEN")
local ids_out = os.getenv("LOAD_IDS_OUT")
local ids_in = os.getenv("LOAD_IDS_IN")
local result_file = os.getenv("LOAD_RESULT")

local body = nil
local body_file = os.getenv("LOAD_BODY_FILE")
if body_file and body_file ~= "" then
    local f = assert(io.open(body_file, "r"))
    body = f:read("*a")
    f:close()
end

local threads = {}
local counter = 0

function setup(thread)
    thread:set("thread_no", counter)
    thread:set("thread_count", 0)
    counter = counter + 1
    table.insert(threads, thread)
end

local headers = { ["Content-Type"] = "application/json" }
if token and token ~= "" then
    headers["Authorization"] = "Bearer " .. token
end

queue = {}
next_index = 1
wrapped = false
created = {}

function init(args)
    if ids_in and ids_in ~= "" then
        -- Threads take every n-th line so no two send the same case.
        local n = tonumber(os.getenv("LOAD_THREADS") or "1")
        local i = 0
        for line in io.lines(ids_in) do
            if i % n == thread_no then
                local id, version = line:match("^(%S+)%s+(%S+)$")
                if id then
                    table.insert(queue, { id = id, version = version })
                end
            end
            i = i + 1
        end
    end
end

function request()
    if #queue > 0 then
        local item = queue[next_index]
        next_index = next_index + 1
        if next_index > #queue then
            -- Out of fresh cases: start again (the repeats answer 409 and count as errors).
            next_index = 1
            wrapped = true
        end
        local p = path:gsub("{id}", item.id)
        local b = body and body:gsub("{version}", item.version) or nil
        return wrk.format(method, p, headers, b)
    end
    return wrk.format(method, path, headers, body)
end

function response(status, hdrs, resp_body)
    if ids_out and ids_out ~= "" and status == 201 then
        local id = resp_body:match('"id"%s*:%s*"([^"]+)"')
        local version = resp_body:match('"version"%s*:%s*(%d+)')
        if id and version then
            table.insert(created, id .. " " .. version)
        end
    end
end

function done(summary, latency, requests)
    local errors = summary.errors.status + summary.errors.connect + summary.errors.read
        + summary.errors.write + summary.errors.timeout
    local secs = summary.duration / 1e6
    if ids_out and ids_out ~= "" then
        local f = assert(io.open(ids_out, "a"))
        for _, t in ipairs(threads) do
            local list = t:get("created")
            if list then
                for _, line in ipairs(list) do
                    f:write(line, "\n")
                end
            end
        end
        f:close()
    end
    -- Lines of LOAD_IDS_IN this run may have used: every thread took every n-th line.
    local used = 0
    for _, t in ipairs(threads) do
        local taken = (t:get("next_index") or 1) - 1
        if (t:get("wrapped") or false) then
            taken = 1e9
        end
        used = math.max(used, taken * #threads)
    end
    local line = string.format("%d %.1f %.2f %.2f %d %d\n", summary.requests,
        summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        errors, used)
    if result_file and result_file ~= "" then
        local f = assert(io.open(result_file, "w"))
        f:write(line)
        f:close()
    else
        io.write(line)
    end
end
