using Newtonsoft.Json;

namespace D365CustomerSync.Client
{
    internal static class Json
    {
        internal static readonly JsonSerializerSettings Settings = new JsonSerializerSettings
        {
            // Timestamps stay as sent (a string property would otherwise be re-formatted).
            DateParseHandling = DateParseHandling.DateTimeOffset,
            MissingMemberHandling = MissingMemberHandling.Ignore,
            Formatting = Formatting.None,
        };

        internal static string Serialize(object value) => JsonConvert.SerializeObject(value, Settings);

        internal static T Deserialize<T>(string text) => JsonConvert.DeserializeObject<T>(text, Settings);
    }
}
