using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json;

namespace D365CustomerSync.Client.Tests
{
    /// <summary>What went over the wire: every request's method, URL and headers, and the answer's status and headers.</summary>
    public sealed class Recorder : DelegatingHandler
    {
        public sealed class Exchange
        {
            public string Method;
            public string Url;
            public Dictionary<string, string> Headers;
            public int? Status;
            public Dictionary<string, string> ResponseHeaders;
            public string Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;
            public string ResponseHeader(string name) => ResponseHeaders != null && ResponseHeaders.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;
        }

        private readonly List<Exchange> _exchanges = new List<Exchange>();

        public Recorder() : base(new SocketsHttpHandler()) { }

        public IReadOnlyList<Exchange> Exchanges
        {
            get { lock (_exchanges) return _exchanges.ToList(); }
        }

        public IReadOnlyList<Exchange> Posts => Exchanges.Where(e => e.Method == "POST").ToList();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var exchange = new Exchange
            {
                Method = request.Method.Method,
                Url = request.RequestUri.ToString(),
                Headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(",", h.Value)),
            };
            lock (_exchanges) _exchanges.Add(exchange);
            var response = await base.SendAsync(request, cancellationToken);
            exchange.Status = (int)response.StatusCode;
            exchange.ResponseHeaders = response.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(",", h.Value));
            return response;
        }
    }

    public static class Customers
    {
        private static readonly string Minimal = File.ReadAllText(Path.Combine(Repo.Root, "test", "fixtures", "seed-customer-minimal.json"));

        /// <summary>test/fixtures/seed-customer-minimal.json with an e-mail address of its own.</summary>
        public static CustomerRequest New()
        {
            var body = JsonConvert.DeserializeObject<CustomerRequest>(Minimal);
            body.Customer.EmailAddress = $"dotnet-{Guid.NewGuid().ToString("N").Substring(0, 10)}@example.com";
            return body;
        }
    }
}
