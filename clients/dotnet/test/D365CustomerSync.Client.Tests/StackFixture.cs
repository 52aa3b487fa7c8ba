using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Xunit;

namespace D365CustomerSync.Client.Tests
{
    /// <summary>The repository's root (holds host.json and package.json).</summary>
    public static class Repo
    {
        public static readonly string Root = Find();

        private static string Find()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "host.json")) && File.Exists(Path.Combine(dir.FullName, "package.json")))
                    return dir.FullName;
            throw new InvalidOperationException("No repository root above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>
    /// The real local stack (Azurite, the D365 / Entra ID / Key Vault emulator, the Functions host
    /// with the compiled app), started by clients/dotnet/test-support/stack.cjs; the emulator's
    /// control API is reached through that script's stdin.
    /// </summary>
    public abstract class StackFixture : IAsyncLifetime
    {
        private readonly Dictionary<string, string> _settings;
        private readonly ConcurrentDictionary<int, TaskCompletionSource<JToken>> _pending = new ConcurrentDictionary<int, TaskCompletionSource<JToken>>();
        private readonly TaskCompletionSource<string> _ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<string> _stderr = new List<string>();
        private Process _process;
        private int _nextId;

        protected StackFixture(Dictionary<string, string> settings) => _settings = settings;

        public Uri ApiUrl { get; private set; }

        public async Task InitializeAsync()
        {
            var script = Path.Combine(Repo.Root, "clients", "dotnet", "test-support", "stack.cjs");
            var node = Environment.GetEnvironmentVariable("NODE") ?? Environment.GetEnvironmentVariable("npm_node_execpath") ?? "node";
            var start = new ProcessStartInfo(node)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = Repo.Root,
            };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(JsonConvert.SerializeObject(_settings));
            _process = Process.Start(start);
            _process.OutputDataReceived += (_, e) => OnLine(e.Data);
            _process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_stderr) _stderr.Add(e.Data); };
            _process.Exited += (_, __) => _ready.TrySetException(new InvalidOperationException("stack.cjs exited: " + StdErr()));
            _process.EnableRaisingEvents = true;
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            var ready = await Task.WhenAny(_ready.Task, Task.Delay(TimeSpan.FromSeconds(90)));
            if (ready != _ready.Task) throw new TimeoutException("The local stack did not start within 90 s: " + StdErr());
            ApiUrl = new Uri((await _ready.Task).TrimEnd('/') + "/api");
        }

        public async Task DisposeAsync()
        {
            if (_process == null) return;
            try
            {
                _process.StandardInput.Close();
                using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
                    await _process.WaitForExitAsync(cts.Token);
            }
            catch (Exception)
            {
                if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            }
            _process.Dispose();
        }

        /// <summary>Calls the emulator's control API (dev/d365-emulator/README.md, "Control API").</summary>
        public Task<JToken> EmulatorAsync(string method, string path, object body = null) =>
            Command(new JObject { ["method"] = method, ["path"] = path, ["body"] = body == null ? null : JToken.FromObject(body) });

        /// <summary>Every customer the emulated D365 holds.</summary>
        public async Task<IReadOnlyList<JToken>> CustomersAsync() => ((JArray)await Command(new JObject { ["op"] = "customers" })).ToList();

        /// <summary>The customers whose stored fields mention <paramref name="email"/>.</summary>
        public async Task<int> CustomersWithEmailAsync(string email) =>
            (await CustomersAsync()).Count(c => (c["contract"] ?? c["fields"]).ToString(Formatting.None).Contains(email));

        private async Task<JToken> Command(JObject command)
        {
            var id = Interlocked.Increment(ref _nextId);
            command["id"] = id;
            var reply = new TaskCompletionSource<JToken>(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending[id] = reply;
            lock (_process) _process.StandardInput.WriteLine(command.ToString(Formatting.None));
            var done = await Task.WhenAny(reply.Task, Task.Delay(TimeSpan.FromSeconds(30)));
            if (done != reply.Task) throw new TimeoutException("No answer from stack.cjs to " + command);
            return await reply.Task;
        }

        private void OnLine(string line)
        {
            if (string.IsNullOrWhiteSpace(line) || !line.StartsWith("{")) return;
            var message = JObject.Parse(line);
            if (message.Value<bool?>("ready") == true)
            {
                _ready.TrySetResult(message.Value<string>("url"));
                return;
            }
            var id = message.Value<int?>("id");
            if (id == null || !_pending.TryRemove(id.Value, out var reply)) return;
            if (message.Value<bool>("ok")) reply.TrySetResult(message["value"]);
            else reply.TrySetException(new InvalidOperationException("emulator: " + message.Value<string>("error")));
        }

        private string StdErr()
        {
            lock (_stderr) return string.Join("\n", _stderr.TakeLast(30));
        }
    }

    /// <summary>The default stack, with DUPLICATE_POLICY=reject (so duplicates are visible).</summary>
    public sealed class DefaultStack : StackFixture
    {
        public DefaultStack() : base(new Dictionary<string, string> { ["DUPLICATE_POLICY"] = "reject", ["PRIVACY_SETTLE_SECONDS"] = "1" }) { }
    }

    /// <summary>A stack that wants a function key and allows 20 customer requests a minute.</summary>
    public sealed class KeyedThrottledStack : StackFixture
    {
        public const string FunctionKey = "dotnet-client-test-key";
        public const int PerMinute = 20;

        public KeyedThrottledStack()
            : base(new Dictionary<string, string>
            {
                ["DEV_FUNCTION_KEY"] = FunctionKey,
                ["RATE_LIMIT_PER_MINUTE"] = PerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }) { }
    }
}
