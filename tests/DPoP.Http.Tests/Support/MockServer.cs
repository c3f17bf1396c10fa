using System.Collections.Concurrent;
using System.Net;
using System.Text;
using RichardSzalay.MockHttp;

namespace DPoP.Http.Tests.Support;

/// <summary>A request as the server side of a MockHttp exchange saw it.</summary>
internal sealed record SeenRequest(HttpMethod Method, Uri Uri, IReadOnlyList<string> DPoPHeaders, string? Authorization, string? Body)
{
    public string Proof => DPoPHeaders.Single();

    public VerifiedProof Verified => IndependentProofVerifier.Verify(Proof);
}

/// <summary>MockHttp with a recording of every exchange and a few canned DPoP server answers.</summary>
internal static class MockServer
{
    public static MockHttpMessageHandler Create(ConcurrentQueue<SeenRequest> seen, Func<SeenRequest, int, HttpResponseMessage> respond)
    {
        var mock = new MockHttpMessageHandler();
        var count = 0;
        mock.When("*").Respond(async (HttpRequestMessage request) =>
        {
            var body = request.Content is null ? null : await request.Content.ReadAsStringAsync();
            var dpop = request.Headers.TryGetValues("DPoP", out var values) ? values.ToList() : [];
            var record = new SeenRequest(request.Method, request.RequestUri!, dpop, request.Headers.Authorization?.ToString(), body);
            seen.Enqueue(record);
            return respond(record, Interlocked.Increment(ref count));
        });
        return mock;
    }

    public static HttpResponseMessage Ok(string? nonce = null, string body = "{\"ok\":true}") => WithNonce(new HttpResponseMessage(HttpStatusCode.OK)
    {
        Content = new StringContent(body, Encoding.UTF8, "application/json"),
    }, nonce);

    /// <summary>RFC 9449 §8: an authorization server's demand for a nonce.</summary>
    public static HttpResponseMessage TokenEndpointNonceChallenge(string? nonce) => WithNonce(new HttpResponseMessage(HttpStatusCode.BadRequest)
    {
        Content = new StringContent("{\"error\":\"use_dpop_nonce\",\"error_description\":\"Authorization server requires nonce in DPoP proof\"}", Encoding.UTF8, "application/json"),
    }, nonce);

    /// <summary>RFC 9449 §9: a resource server's demand for a nonce.</summary>
    public static HttpResponseMessage ResourceNonceChallenge(string? nonce, string? wwwAuthenticate = null)
    {
        var response = new HttpResponseMessage(HttpStatusCode.Unauthorized) { Content = new StringContent("challenge body") };
        response.Headers.TryAddWithoutValidation("WWW-Authenticate", wwwAuthenticate ?? "DPoP error=\"use_dpop_nonce\", error_description=\"Resource server requires nonce in DPoP proof\"");
        return WithNonce(response, nonce);
    }

    public static HttpResponseMessage WithNonce(HttpResponseMessage response, string? nonce)
    {
        if (nonce is not null)
        {
            response.Headers.TryAddWithoutValidation("DPoP-Nonce", nonce);
        }

        return response;
    }
}
