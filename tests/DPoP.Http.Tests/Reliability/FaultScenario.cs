using DPoP.Http.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace DPoP.Http.Tests.Reliability;

/// <summary>
/// What the fault tests share: a Kestrel server that challenges the first proof and then answers as the test says, and
/// the token-bound request they send.
/// </summary>
internal static class FaultScenario
{
    internal const string Token = "fault-test-access-token";

    internal static Task<KestrelTestServer> ChallengeThen(Func<HttpContext, Task> second) =>
        KestrelTestServer.StartAsync(async (context, _) =>
        {
            if (IsFirstProof(context))
            {
                await WriteResourceChallengeAsync(context, "n-challenge");
                return;
            }

            await second(context);
        });

    /// <summary>The first attempt carries no nonce; the retry carries the challenge's.</summary>
    internal static bool IsFirstProof(HttpContext context) =>
        !IndependentProofVerifier.Verify(context.Request.Headers["DPoP"].ToString()).HasClaim("nonce");

    internal static async Task WriteResourceChallengeAsync(HttpContext context, string nonce)
    {
        context.Response.StatusCode = 401;
        context.Response.Headers.WWWAuthenticate = "DPoP error=\"use_dpop_nonce\"";
        context.Response.Headers["DPoP-Nonce"] = nonce;
        await context.Response.WriteAsync("challenge");
    }

    internal static HttpRequestMessage Get(string path = "resource") => new HttpRequestMessage(HttpMethod.Get, path).SetDPoPAccessToken(Token);
}
