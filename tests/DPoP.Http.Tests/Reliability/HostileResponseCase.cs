using System.Net;
using System.Text;
using DPoP.Http.Tests.Support;

namespace DPoP.Http.Tests.Reliability;

/// <summary>
/// One malformed or hostile server answer: what the server sends, and what the handler must make of it: whether it
/// sends a second request (<see cref="ExpectRetry"/>: a nonce retry, or following a redirect whose target is
/// legitimate), and the nonce it keeps for the origin afterwards. The first attempt gets the hostile answer; any
/// further request is answered with 200 <c>retried</c>, so an unwanted retry shows in the count.
/// </summary>
public sealed record HostileResponseCase(
    string Name,
    HttpStatusCode Status,
    byte[] Body,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    IReadOnlyList<KeyValuePair<string, string>> ContentHeaders,
    bool Chunked,
    bool ExpectRetry,
    string? ExpectStoredNonce)
{
    /// <summary><see cref="ExpectStoredNonce"/> when the test does not care what nonce is kept.</summary>
    public const string AnyNonce = "\u0001any";

    public bool FollowRedirects { get; init; } = true;

    /// <summary>A caller that reads headers first: the body must still stream, whole.</summary>
    public bool HeadersRead { get; init; }

    public HttpResponseMessage Create()
    {
        HttpContent content = Chunked
            ? new StreamContent(new ForwardOnlyStream(Body))
            : new ByteArrayContent(Body);
        var response = new HttpResponseMessage(Status) { Content = content };
        foreach (var (name, value) in Headers)
        {
            Assert.That(response.Headers.TryAddWithoutValidation(name, value), Is.True, $"{Name}: header {name} could not be set");
        }

        foreach (var (name, value) in ContentHeaders)
        {
            Assert.That(content.Headers.TryAddWithoutValidation(name, value), Is.True, $"{Name}: content header {name} could not be set");
        }

        return response;
    }

    public override string ToString() => Name;

    public static HostileResponseCase Of(
        string name,
        HttpStatusCode status,
        string body = "",
        (string Name, string Value)[]? headers = null,
        (string Name, string Value)[]? contentHeaders = null,
        bool chunked = false,
        bool retry = false,
        string? nonce = AnyNonce) =>
        Of(name, status, Encoding.UTF8.GetBytes(body), headers, contentHeaders, chunked, retry, nonce);

    public static HostileResponseCase Of(
        string name,
        HttpStatusCode status,
        byte[] body,
        (string Name, string Value)[]? headers = null,
        (string Name, string Value)[]? contentHeaders = null,
        bool chunked = false,
        bool retry = false,
        string? nonce = AnyNonce) =>
        new(name, status, body,
            [.. (headers ?? []).Select(h => KeyValuePair.Create(h.Name, h.Value))],
            [.. (contentHeaders ?? []).Select(h => KeyValuePair.Create(h.Name, h.Value))],
            chunked, retry, nonce);
}
