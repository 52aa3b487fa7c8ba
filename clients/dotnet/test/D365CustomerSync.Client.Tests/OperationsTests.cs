using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace D365CustomerSync.Client.Tests
{
    /// <summary>The operations methods (issue 31) against the local stack (no keys set locally: the operator routes are open).</summary>
    public sealed class OperationsTests : IClassFixture<DefaultStack>
    {
        private readonly DefaultStack _stack;

        public OperationsTests(DefaultStack stack) => _stack = stack;

        private CustomerSyncClient Client() =>
            new CustomerSyncClient(new CustomerSyncClientOptions { BaseUrl = _stack.ApiUrl }, new HttpClient { Timeout = Timeout.InfiniteTimeSpan }, ownsHttpClient: true);

        /// <summary>A create D365 refuses (an unknown customer group): it ends failed, business_error.</summary>
        private async Task<string> FailedCreateAsync(CustomerSyncClient client)
        {
            var body = Customers.New();
            body.Customer.CustomerGroup = "99";
            var error = await Assert.ThrowsAsync<CustomerFailedException>(() => client.CreateCustomerAsync(body));
            return error.CorrelationId;
        }

        [Fact]
        public async Task Lists_failures_replays_them_as_one_job_and_resolves_one()
        {
            using (var client = Client())
            {
                var first = await FailedCreateAsync(client);
                var second = await FailedCreateAsync(client);

                var page = await client.ListRequestsAsync(new RequestQuery { Status = "failed", ErrorCode = "business_error", Limit = 200 });
                Assert.Contains(page.Items, i => i.CorrelationId == first && i.ErrorCode == "business_error" && i.View == "failed");
                Assert.True(page.Counts.ByCode["business_error"] >= 2);

                var job = await client.StartReplayAsync(new[] { first, second });
                Assert.Equal("running", job.State);
                var seen = new List<int>();
                var done = await client.WaitForReplayAsync(job.Id, TimeSpan.FromMilliseconds(300), TimeSpan.FromMinutes(2),
                    new SyncProgress(j => seen.Add(j.Counts.Released)));
                // The group is still unknown in D365: both fail again, counted as such.
                Assert.Equal("done", done.State);
                Assert.Equal(2, done.Counts.Released);
                Assert.Equal(2, done.Counts.Failed);
                Assert.Equal(0, done.Counts.Pending);
                Assert.Equal(job.Id, (await client.ListReplaysAsync()).First().Id);
                var refused = await Assert.ThrowsAsync<CustomerSyncException>(() => client.CancelReplayAsync(job.Id));
                Assert.Equal(409, refused.Status);

                await client.ResolveRequestAsync(first, "Created by hand in D365.");
                var resolved = await client.ListRequestsAsync(new RequestQuery { Status = "resolved", Limit = 200 });
                Assert.Contains(resolved.Items, i => i.CorrelationId == first && i.Resolution == "manual");
                await Assert.ThrowsAsync<CustomerSyncException>(() => client.ResolveRequestAsync(first));
            }
        }

        [Fact]
        public async Task A_filter_that_matches_nothing_is_refused_and_a_bad_one_points_at_the_member()
        {
            using (var client = Client())
            {
                var none = await Assert.ThrowsAsync<CustomerSyncException>(() => client.StartReplayAsync(new ReplayFilter { LegalEntity = "ZZZZ" }));
                Assert.Equal(409, none.Status);
                var bad = await Assert.ThrowsAsync<CustomerValidationException>(() => client.StartReplayAsync(new ReplayFilter { ErrorCode = "nope" }));
                Assert.Contains(bad.FieldErrors, e => e.Pointer == "/filter/errorCode");
            }
        }

        /// <summary>IProgress that reports on the caller's thread (Progress&lt;T&gt; posts to the pool).</summary>
        private sealed class SyncProgress : IProgress<ReplayJob>
        {
            private readonly Action<ReplayJob> _report;
            public SyncProgress(Action<ReplayJob> report) => _report = report;
            public void Report(ReplayJob value) => _report(value);
        }
    }
}
