using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using DPoP.Http.Tests.Support;

namespace DPoP.Http.Tests.Http;

public sealed class ProofClaimsTests
{
    [Test]
    public async Task SetDPoPProofClaims_AddsClaimsToEveryProofOfTheRequest_IncludingTheRetry()
    {
        using var host = new DPoPTestHost((_, n) => n == 1 ? MockServer.ResourceNonceChallenge("n") : MockServer.Ok());
        using var request = new HttpRequestMessage(HttpMethod.Get, "x").SetDPoPProofClaims(new Dictionary<string, object?>
        {
            ["client_hint"] = "tenant-7 \"quoted\"",
            ["count"] = 3,
            ["big"] = 9_007_199_254_740_993L,
            ["ratio"] = 0.5,
            ["flag"] = true,
            ["none"] = null,
            ["obj"] = JsonNode.Parse("{\"a\":[1,2]}"),
        });
        using var response = await host.CreateClient().SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        foreach (var seen in host.Requests)
        {
            var payload = seen.Verified.Payload.RootElement;
            Assert.Multiple(() =>
            {
                Assert.That(payload.GetProperty("client_hint").GetString(), Is.EqualTo("tenant-7 \"quoted\""));
                Assert.That(payload.GetProperty("count").GetInt32(), Is.EqualTo(3));
                Assert.That(payload.GetProperty("big").GetInt64(), Is.EqualTo(9_007_199_254_740_993L));
                Assert.That(payload.GetProperty("ratio").GetDouble(), Is.EqualTo(0.5));
                Assert.That(payload.GetProperty("flag").GetBoolean(), Is.True);
                Assert.That(payload.GetProperty("none").ValueKind, Is.EqualTo(JsonValueKind.Null));
                Assert.That(payload.GetProperty("obj").GetProperty("a").GetArrayLength(), Is.EqualTo(2));
                Assert.That(payload.GetProperty("htm").GetString(), Is.EqualTo("GET"));
            });
        }
    }

    [TestCase("jti")]
    [TestCase("htm")]
    [TestCase("htu")]
    [TestCase("iat")]
    [TestCase("ath")]
    [TestCase("nonce")]
    public void SetDPoPProofClaims_ReservedClaim_Throws(string name)
    {
        using var request = new HttpRequestMessage();
        var ex = Assert.Throws<ArgumentException>(() => request.SetDPoPProofClaims(new Dictionary<string, object?> { [name] = "x" }));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.ParamName, Is.EqualTo("claims"));
            Assert.That(ex.Message, Does.Contain($"'{name}'"));
        });
    }

    [Test]
    public void SetDPoPProofClaims_UnsupportedValueType_Throws()
    {
        using var request = new HttpRequestMessage();
        Assert.Multiple(() =>
        {
            Assert.That(() => request.SetDPoPProofClaims(new Dictionary<string, object?> { ["when"] = DateTime.UtcNow }), Throws.ArgumentException.With.Message.Contains("'when'"));
            Assert.That(() => request.SetDPoPProofClaims(new Dictionary<string, object?> { ["nan"] = double.NaN }), Throws.ArgumentException);
            Assert.That(() => request.SetDPoPProofClaims(new Dictionary<string, object?> { [""] = 1 }), Throws.ArgumentException);
            Assert.That(() => request.SetDPoPProofClaims(null!), Throws.ArgumentNullException);
        });
    }
}
