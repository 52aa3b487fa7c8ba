using System;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace D365CustomerSync.Client.Tests
{
    /// <summary>Function keys and the app's own rate limit (RATE_LIMIT_PER_MINUTE), against a stack that has both.</summary>
    public sealed class KeyAndThrottlingTests : IClassFixture<KeyedThrottledStack>
    {
        private readonly KeyedThrottledStack _stack;

        public KeyAndThrottlingTests(KeyedThrottledStack stack) => _stack = stack;

        private CustomerSyncClient Client(Recorder wire, string key = KeyedThrottledStack.FunctionKey, int maxAttempts = 5) =>
            new CustomerSyncClient(
                new CustomerSyncClientOptions { BaseUrl = _stack.ApiUrl, FunctionKey = key, MaxAttempts = maxAttempts },
                new HttpClient(wire) { Timeout = Timeout.InfiniteTimeSpan });

        /// <summary>Uses up the caller's budget with requests the app refuses before storing anything (a bad Idempotency-Key).</summary>
        private async Task SpendTheBudget()
        {
            using (var http = new HttpClient())
            {
                for (var i = 0; i < KeyedThrottledStack.PerMinute + 2; i++)
                {
                    using (var request = new HttpRequestMessage(HttpMethod.Post, _stack.ApiUrl + "/customers"))
                    {
                        request.Headers.Add("x-functions-key", KeyedThrottledStack.FunctionKey);
                        request.Headers.TryAddWithoutValidation("Idempotency-Key", "has spaces");
                        request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
                        using (var response = await http.SendAsync(request))
                            if ((int)response.StatusCode == 429) return;
                    }
                }
            }
            throw new InvalidOperationException("the budget was never used up");
        }

        [Fact]
        public async Task A_wrong_function_key_is_an_authentication_error_and_the_right_one_creates()
        {
            var wrong = new Recorder();
            var error = await Assert.ThrowsAsync<CustomerSyncAuthenticationException>(
                () => Client(wrong, "not-the-key").CreateCustomerAsync(Customers.New()));
            Assert.Equal(401, error.Status);
            Assert.Single(wrong.Exchanges);

            var wire = new Recorder();
            var created = await Client(wire).CreateCustomerAsync(Customers.New());
            Assert.Equal(RequestStatus.Succeeded, created.Status);
            Assert.Equal(KeyedThrottledStack.FunctionKey, wire.Exchanges[0].Header("x-functions-key"));
        }

        [Fact]
        public async Task On_429_it_waits_Retry_After_and_sends_again_with_the_same_key_or_gives_up_with_ThrottledException()
        {
            await SpendTheBudget();
            var once = new Recorder();
            var throttled = await Assert.ThrowsAsync<ThrottledException>(
                () => Client(once, maxAttempts: 1).CreateCustomerAsync(Customers.New()));
            Assert.Equal(429, throttled.Status);
            Assert.Equal(ProblemTypes.RateLimited, throttled.Problem.Type);
            Assert.InRange(throttled.RetryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));

            var wire = new Recorder();
            var body = Customers.New();
            var created = await Client(wire).CreateCustomerAsync(body);

            Assert.Equal(RequestStatus.Succeeded, created.Status);
            var posts = wire.Posts;
            Assert.Equal(429, posts[0].Status);
            Assert.NotNull(posts[0].ResponseHeader("Retry-After"));
            Assert.Equal(201, posts.Last().Status);
            Assert.All(posts, p => Assert.Equal(created.IdempotencyKey, p.Header("Idempotency-Key")));
            Assert.Equal(1, await _stack.CustomersWithEmailAsync(body.Customer.EmailAddress));
        }
    }
}
