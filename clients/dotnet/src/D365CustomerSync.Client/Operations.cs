using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json;

namespace D365CustomerSync.Client
{
    // The operations API (/api/ops/*, issue 31; docs/operations.md), for runbooks and tools: set
    // FunctionKey to the Functions master key (CALLER_AUTH=keys), or a TokenProvider whose token holds
    // the operator role (App Service Authentication). Reads are retried where safe; actions are sent once.
    public sealed partial class CustomerSyncClient
    {
        /// <summary>One page of a view (<c>failed</c> by default), newest first; the first page counts per code.</summary>
        public async Task<RequestPage> ListRequestsAsync(
            RequestQuery query = null, string cursor = null, CancellationToken cancellationToken = default)
        {
            var parameters = (query ?? new RequestQuery()).Parameters();
            if (cursor != null) parameters.Add("cursor=" + Uri.EscapeDataString(cursor));
            var answer = await SendAsync(HttpMethod.Get, Ops("/requests?" + string.Join("&", parameters)), null, null, 0, DefaultAttemptTimeout, cancellationToken)
                .ConfigureAwait(false);
            return Json.Deserialize<RequestPage>(answer.Body);
        }

        /// <summary>Replays a failed request as it is (audited).</summary>
        public Task RetryRequestAsync(string correlationId, CancellationToken cancellationToken = default) =>
            SendAsync(HttpMethod.Post, Ops("/requests/" + Uri.EscapeDataString(correlationId) + "/retry"), null, null, 0, DefaultAttemptTimeout, cancellationToken, once: true);

        /// <summary>Resolves a failed or needs-review request with a note (handled in D365 by hand; audited).</summary>
        public Task ResolveRequestAsync(string correlationId, string note = "", CancellationToken cancellationToken = default) =>
            SendAsync(HttpMethod.Post, Ops("/requests/" + Uri.EscapeDataString(correlationId) + "/resolve"),
                Json.Serialize(new Dictionary<string, string> { ["note"] = note ?? "" }), null, 0, DefaultAttemptTimeout, cancellationToken, once: true);

        /// <summary>Starts a bulk replay of the failed requests that match <paramref name="filter"/> (paced below live traffic).</summary>
        public Task<ReplayJob> StartReplayAsync(ReplayFilter filter, CancellationToken cancellationToken = default) =>
            StartReplay(new { filter = filter ?? new ReplayFilter() }, cancellationToken);

        /// <summary>Starts a bulk replay of up to 500 failed requests by their IDs.</summary>
        public Task<ReplayJob> StartReplayAsync(IEnumerable<string> correlationIds, CancellationToken cancellationToken = default) =>
            StartReplay(new { correlationIds = correlationIds.ToList() }, cancellationToken);

        /// <summary>One bulk replay job and its progress.</summary>
        public async Task<ReplayJob> GetReplayAsync(string jobId, CancellationToken cancellationToken = default)
        {
            var answer = await SendAsync(HttpMethod.Get, Ops("/replays/" + Uri.EscapeDataString(jobId)), null, null, 0, DefaultAttemptTimeout, cancellationToken)
                .ConfigureAwait(false);
            return Json.Deserialize<ReplayJob>(answer.Body);
        }

        /// <summary>The last 30 days' jobs, newest first.</summary>
        public async Task<IReadOnlyList<ReplayJob>> ListReplaysAsync(CancellationToken cancellationToken = default)
        {
            var answer = await SendAsync(HttpMethod.Get, Ops("/replays"), null, null, 0, DefaultAttemptTimeout, cancellationToken).ConfigureAwait(false);
            return Json.Deserialize<ReplayJobList>(answer.Body).Items;
        }

        /// <summary>Stops a job releasing more; what it released still ends and is counted (audited).</summary>
        public async Task<ReplayJob> CancelReplayAsync(string jobId, CancellationToken cancellationToken = default)
        {
            var answer = await SendAsync(HttpMethod.Post, Ops("/replays/" + Uri.EscapeDataString(jobId) + "/cancel"), null, null, 0, DefaultAttemptTimeout, cancellationToken, once: true)
                .ConfigureAwait(false);
            return Json.Deserialize<ReplayJob>(answer.Body);
        }

        /// <summary>Follows a job until it is finished, telling <paramref name="progress"/> each read.</summary>
        public async Task<ReplayJob> WaitForReplayAsync(
            string jobId, TimeSpan? poll = null, TimeSpan? timeout = null, IProgress<ReplayJob> progress = null, CancellationToken cancellationToken = default)
        {
            var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromHours(1));
            for (;;)
            {
                var job = await GetReplayAsync(jobId, cancellationToken).ConfigureAwait(false);
                progress?.Report(job);
                if (job.FinishedAt != null) return job;
                if (DateTimeOffset.UtcNow >= deadline)
                    throw new CustomerSyncException($"Replay job {jobId} is still {job.State} after the timeout.");
                await Task.Delay(poll ?? TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task<ReplayJob> StartReplay(object body, CancellationToken cancellationToken)
        {
            var answer = await SendAsync(HttpMethod.Post, Ops("/replays"), Json.Serialize(body), null, 0, DefaultAttemptTimeout, cancellationToken, once: true)
                .ConfigureAwait(false);
            return Json.Deserialize<ReplayJob>(answer.Body);
        }

        private string Ops(string path) => _baseUrl + "/ops" + path;
    }

    /// <summary>Which requests a list shows (<c>GET /ops/requests</c>); unset members are not sent.</summary>
    public sealed class RequestQuery : ReplayFilter
    {
        /// <summary><c>failed</c> (default), <c>needs_review</c>, <c>retrying</c> or <c>resolved</c>.</summary>
        public string Status { get; set; }

        /// <summary>Page size, 1–200 (default 50).</summary>
        public int? Limit { get; set; }

        internal override List<string> Parameters()
        {
            var list = base.Parameters();
            if (Status != null) list.Add("status=" + Uri.EscapeDataString(Status));
            if (Limit != null) list.Add("limit=" + Limit.Value);
            return list;
        }
    }

    /// <summary>The failed requests a bulk replay takes (the list's filters); unset members are not sent.</summary>
    public class ReplayFilter
    {
        /// <summary>A failure code, e.g. <c>not_registered</c>.</summary>
        [JsonProperty("errorCode", NullValueHandling = NullValueHandling.Ignore)]
        public string ErrorCode { get; set; }

        /// <summary>A <c>WEBHOOK_SOURCES</c> name, a caller ID, or <c>api</c>.</summary>
        [JsonProperty("source", NullValueHandling = NullValueHandling.Ignore)]
        public string Source { get; set; }

        /// <summary>e.g. <c>USRT</c>.</summary>
        [JsonProperty("legalEntity", NullValueHandling = NullValueHandling.Ignore)]
        public string LegalEntity { get; set; }

        /// <summary>Entered the failed view at or after (ISO 8601).</summary>
        [JsonProperty("from", NullValueHandling = NullValueHandling.Ignore)]
        public DateTimeOffset? From { get; set; }

        /// <summary>Entered the failed view at or before (ISO 8601).</summary>
        [JsonProperty("to", NullValueHandling = NullValueHandling.Ignore)]
        public DateTimeOffset? To { get; set; }

        internal virtual List<string> Parameters()
        {
            var list = new List<string>();
            void Add(string name, string value)
            {
                if (value != null) list.Add(name + "=" + Uri.EscapeDataString(value));
            }
            Add("errorCode", ErrorCode);
            Add("source", Source);
            Add("legalEntity", LegalEntity);
            Add("from", From?.ToString("o", System.Globalization.CultureInfo.InvariantCulture));
            Add("to", To?.ToString("o", System.Globalization.CultureInfo.InvariantCulture));
            return list;
        }
    }

    /// <summary>A page of requests that need an operator (schema <c>RequestPage</c>).</summary>
    public sealed class RequestPage
    {
        /// <summary>The <c>items</c> member.</summary>
        [JsonProperty("items", Required = Required.Always)]
        public List<ListedRequest> Items { get; set; }

        /// <summary>For the next page; null on the last.</summary>
        [JsonProperty("cursor")]
        public string Cursor { get; set; }

        /// <summary>First page only.</summary>
        [JsonProperty("counts")]
        public RequestCounts Counts { get; set; }
    }

    /// <summary>Matches per error code (schema <c>RequestPage.counts</c>).</summary>
    public sealed class RequestCounts
    {
        /// <summary>The <c>total</c> member.</summary>
        [JsonProperty("total", Required = Required.Always)]
        public int Total { get; set; }

        /// <summary>The <c>byCode</c> member.</summary>
        [JsonProperty("byCode", Required = Required.Always)]
        public Dictionary<string, int> ByCode { get; set; }
    }

    /// <summary>One request in a list: codes and times, no personal data (schema <c>ListedRequest</c>).</summary>
    public sealed class ListedRequest
    {
        /// <summary>The <c>view</c> member.</summary>
        [JsonProperty("view", Required = Required.Always)]
        public string View { get; set; }

        /// <summary>The <c>correlationId</c> member.</summary>
        [JsonProperty("correlationId", Required = Required.Always)]
        public string CorrelationId { get; set; }

        /// <summary>The <c>status</c> member.</summary>
        [JsonProperty("status", Required = Required.Always)]
        public string Status { get; set; }

        /// <summary>The <c>kind</c> member.</summary>
        [JsonProperty("kind", Required = Required.Always)]
        public string Kind { get; set; }

        /// <summary>The <c>errorCode</c> member.</summary>
        [JsonProperty("errorCode")]
        public string ErrorCode { get; set; }

        /// <summary>The <c>source</c> member.</summary>
        [JsonProperty("source", Required = Required.Always)]
        public string Source { get; set; }

        /// <summary>The <c>legalEntity</c> member.</summary>
        [JsonProperty("legalEntity", Required = Required.Always)]
        public string LegalEntity { get; set; }

        /// <summary>The <c>attempts</c> member.</summary>
        [JsonProperty("attempts", Required = Required.Always)]
        public int Attempts { get; set; }

        /// <summary>The <c>createdAt</c> member.</summary>
        [JsonProperty("createdAt", Required = Required.Always)]
        public DateTimeOffset CreatedAt { get; set; }

        /// <summary>When it entered the view.</summary>
        [JsonProperty("at", Required = Required.Always)]
        public DateTimeOffset At { get; set; }

        /// <summary><c>manual</c> or <c>superseded</c> (the resolved view).</summary>
        [JsonProperty("resolution")]
        public string Resolution { get; set; }
    }

    /// <summary>A bulk replay job and its progress (schema <c>ReplayJob</c>).</summary>
    public sealed class ReplayJob
    {
        /// <summary>The <c>id</c> member.</summary>
        [JsonProperty("id", Required = Required.Always)]
        public string Id { get; set; }

        /// <summary><c>running</c>, <c>cancelled</c> or <c>done</c>.</summary>
        [JsonProperty("state", Required = Required.Always)]
        public string State { get; set; }

        /// <summary>The <c>createdAt</c> member.</summary>
        [JsonProperty("createdAt", Required = Required.Always)]
        public DateTimeOffset CreatedAt { get; set; }

        /// <summary>The <c>updatedAt</c> member.</summary>
        [JsonProperty("updatedAt", Required = Required.Always)]
        public DateTimeOffset UpdatedAt { get; set; }

        /// <summary>The <c>createdBy</c> member.</summary>
        [JsonProperty("createdBy", Required = Required.Always)]
        public string CreatedBy { get; set; }

        /// <summary>The <c>filter</c> member.</summary>
        [JsonProperty("filter")]
        public Dictionary<string, string> Filter { get; set; }

        /// <summary>The <c>requested</c> member.</summary>
        [JsonProperty("requested")]
        public int? Requested { get; set; }

        /// <summary>The <c>counts</c> member.</summary>
        [JsonProperty("counts", Required = Required.Always)]
        public ReplayCounts Counts { get; set; }

        /// <summary>Set once the job is finished (done, or cancelled and drained).</summary>
        [JsonProperty("finishedAt")]
        public DateTimeOffset? FinishedAt { get; set; }

        /// <summary>The <c>cancelledAt</c> member.</summary>
        [JsonProperty("cancelledAt")]
        public DateTimeOffset? CancelledAt { get; set; }

        /// <summary>The <c>cancelledBy</c> member.</summary>
        [JsonProperty("cancelledBy")]
        public string CancelledBy { get; set; }
    }

    /// <summary>A job's counts: released = pending + succeeded + failed + needsReview (schema <c>ReplayJob.counts</c>).</summary>
    public sealed class ReplayCounts
    {
        /// <summary>The <c>total</c> member.</summary>
        [JsonProperty("total", Required = Required.Always)]
        public int Total { get; set; }

        /// <summary>The <c>released</c> member.</summary>
        [JsonProperty("released", Required = Required.Always)]
        public int Released { get; set; }

        /// <summary>The <c>pending</c> member.</summary>
        [JsonProperty("pending", Required = Required.Always)]
        public int Pending { get; set; }

        /// <summary>The <c>succeeded</c> member.</summary>
        [JsonProperty("succeeded", Required = Required.Always)]
        public int Succeeded { get; set; }

        /// <summary>The <c>failed</c> member.</summary>
        [JsonProperty("failed", Required = Required.Always)]
        public int Failed { get; set; }

        /// <summary>The <c>needsReview</c> member.</summary>
        [JsonProperty("needsReview", Required = Required.Always)]
        public int NeedsReview { get; set; }

        /// <summary>The <c>skipped</c> member.</summary>
        [JsonProperty("skipped", Required = Required.Always)]
        public int Skipped { get; set; }
    }

    /// <summary>Schema <c>ReplayJobList</c>.</summary>
    public sealed class ReplayJobList
    {
        /// <summary>The <c>items</c> member.</summary>
        [JsonProperty("items", Required = Required.Always)]
        public List<ReplayJob> Items { get; set; }
    }
}
