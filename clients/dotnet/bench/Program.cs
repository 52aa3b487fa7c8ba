using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using D365CustomerSync.Client;
using Newtonsoft.Json;

// dotnet run --project clients/dotnet/bench -- <api url> <count> <interval ms> <body.json>
// Sends <count> create-with-wait requests (Prefer: wait=10), one every <interval ms> (open loop),
// and prints {"ms":..,"ok":..} per request, then "done".
var api = new Uri(args[0]);
var count = int.Parse(args[1]);
var interval = int.Parse(args[2]);
var template = File.ReadAllText(args[3]);
using var client = new CustomerSyncClient(new CustomerSyncClientOptions { BaseUrl = api });

async Task One(int i)
{
    var body = JsonConvert.DeserializeObject<CustomerRequest>(template);
    body.Customer.EmailAddress = $"bench-dotnet-{Guid.NewGuid().ToString("N").Substring(0, 16)}@example.com";
    var watch = Stopwatch.StartNew();
    var ok = true;
    try { await client.CreateCustomerAsync(body); }
    catch (Exception error) { ok = false; Console.Error.WriteLine($"request {i}: {error.GetType().Name}: {error.Message}"); }
    Console.WriteLine(JsonConvert.SerializeObject(new { ms = watch.Elapsed.TotalMilliseconds, ok }));
}

// One warm-up request (JIT, connection) that is not counted.
await client.CreateCustomerAsync(JsonConvert.DeserializeObject<CustomerRequest>(template.Replace("@example.com", "warm" + Guid.NewGuid().ToString("N").Substring(0, 8) + "@example.com")));
Console.WriteLine("ready");
var start = Stopwatch.StartNew();
var tasks = new Task[count];
for (var i = 0; i < count; i++)
{
    var due = TimeSpan.FromMilliseconds((double)i * interval) - start.Elapsed;
    if (due > TimeSpan.Zero) await Task.Delay(due);
    tasks[i] = One(i);
}
await Task.WhenAll(tasks);
Console.WriteLine("done");
