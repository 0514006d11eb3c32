package dev.chorus.web.browser;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.nio.file.Files;
import java.nio.file.Path;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/** One participant's browser, driven through the real page as a person would use it. */
public final class RoomPage implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(15);

  private final ChromeDriver driver;

  private RoomPage(ChromeDriver driver) {
    this.driver = driver;
  }

  public static RoomPage open(String url) {
    ChromeDriver driver = Chromium.start(List.of());
    try {
      driver.get(url);
      return new RoomPage(driver);
    } catch (RuntimeException e) {
      driver.quit();
      throw e;
    }
  }

  /** Fills the join form and clicks Join. */
  public RoomPage join(String room, String name) {
    WebElement roomInput = driver.findElement(By.id("room-input"));
    roomInput.clear();
    roomInput.sendKeys(room);
    WebElement nameInput = driver.findElement(By.id("name-input"));
    nameInput.clear();
    nameInput.sendKeys(name);
    driver.findElement(By.id("join-button")).click();
    return awaitState("joined");
  }

  public RoomPage awaitState(String state) {
    await(d -> state.equals(state()), "page state " + state + " (is " + state() + ")");
    return this;
  }

  public String state() {
    return driver.findElement(By.tagName("body")).getDomAttribute("data-state");
  }

  public String selfId() {
    return driver.findElement(By.tagName("body")).getDomAttribute("data-self-id");
  }

  public boolean isDisplayed(String id) {
    return driver.findElement(By.id(id)).isDisplayed();
  }

  public String value(String id) {
    return driver.findElement(By.id(id)).getDomProperty("value");
  }

  /** Names in the participant list, in page order, self included. */
  public List<String> participantNames() {
    return driver.findElements(By.cssSelector("#participants li[data-participant-id] .participant-name"))
        .stream().map(e -> e.getText().trim()).toList();
  }

  public RoomPage awaitParticipants(List<String> names) {
    await(d -> participantNames().stream().sorted().toList().equals(names.stream().sorted().toList()),
        "participants " + names + " (are " + participantNames() + ")");
    return this;
  }

  public int tileCount() {
    return driver.findElements(By.cssSelector("#grid .tile[data-participant-id]")).size();
  }

  public RoomPage sendChat(String text) {
    WebElement input = driver.findElement(By.id("chat-input"));
    input.sendKeys(text);
    driver.findElement(By.id("chat-send")).click();
    return this;
  }

  public List<String> chatTexts() {
    return driver.findElements(By.cssSelector("#chat-log .chat-message .chat-text"))
        .stream().map(e -> e.getText().trim()).toList();
  }

  public RoomPage awaitChat(List<String> texts) {
    await(d -> chatTexts().equals(texts), "chat " + texts + " (is " + chatTexts() + ")");
    return this;
  }

  public void leave() {
    driver.findElement(By.id("leave-button")).click();
  }

  /**
   * Saves what the page shows to target/screenshots/NAME.png, so a failure can be seen,
   * not only read. Best effort: a crashed browser must not hide the test's own failure.
   */
  public void screenshot(String name) {
    try {
      byte[] png = driver.getScreenshotAs(OutputType.BYTES);
      Path dir = Path.of("target", "screenshots");
      Files.createDirectories(dir);
      Files.write(dir.resolve(name + ".png"), png);
    } catch (Exception e) {
      System.err.println("screenshot " + name + " failed: " + e);
    }
  }

  public WebDriver driver() {
    return driver;
  }

  private void await(Function<WebDriver, Boolean> condition, String what) {
    new WebDriverWait(driver, WAIT).withMessage(() -> "waiting for " + what).until(condition);
  }

  /** Closes the browser without leaving: the server must notice by itself. */
  @Override
  public void close() {
    driver.quit();
  }
}
