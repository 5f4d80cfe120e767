using IdentityHost.IdentityServer.Mail;

namespace IdentityHost.IdentityServer.UnitTests.Mail;

/// <summary>The mail templates built into the server: every one renders, and values are HTML-encoded in the HTML body.</summary>
public sealed class MailTemplatesTests
{
    private static readonly Dictionary<string, string> Values = new()
    {
        ["UserName"] = "<b>alice</b>",
        ["Link"] = "https://login.example.com/account/reset-password?token=abc&x=1",
        ["Lifetime"] = "1 hour",
        ["Time"] = "2026-12-03 10:00",
        ["NewAddress"] = "a***@example.com",
    };

    [Theory]
    [InlineData("verify-email", "Confirm your email address")]
    [InlineData("password-reset", "Reset your password")]
    [InlineData("password-changed", "Your password was changed")]
    [InlineData("email-changed", "Your email address was changed")]
    [InlineData("account-deleted", "Your account was deleted")]
    public void EveryTemplateRendersItsSubjectAndBothBodies(string template, string subject)
    {
        var (renderedSubject, text, html) = new MailTemplates().Render(template, Values);

        Assert.Equal(subject, renderedSubject);
        Assert.Contains("<b>alice</b>", text, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;alice&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", text + html, StringComparison.Ordinal);
    }

    [Fact]
    public void ALinkIsInBothBodies()
    {
        var (_, text, html) = new MailTemplates().Render("password-reset", Values);

        Assert.Contains(Values["Link"], text, StringComparison.Ordinal);
        Assert.Contains("https://login.example.com/account/reset-password?token=abc&amp;x=1", html, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingValueIsAnError()
    {
        Assert.Throws<InvalidOperationException>(() => new MailTemplates().Render("password-reset", new Dictionary<string, string>()));
    }
}
