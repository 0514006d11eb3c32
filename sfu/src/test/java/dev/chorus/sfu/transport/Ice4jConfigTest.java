package dev.chorus.sfu.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.ice4j.ice.AgentConfig;
import org.ice4j.ice.harvest.HarvestConfig;
import org.ice4j.ice.harvest.MappingCandidateHarvesters;
import org.junit.jupiter.api.Test;

/** Our application.conf is what ice4j actually reads: nothing may phone home. */
class Ice4jConfigTest {

    @Test
    void everyMappingHarvesterIsOff() {
        HarvestConfig h = HarvestConfig.config;
        assertFalse(h.getEnableAwsHarvester(), "no cloud-metadata probe");
        assertFalse(h.getForceAwsHarvester());
        assertTrue(h.getStunMappingCandidateHarvesterAddresses().isEmpty(), "no public STUN lookups");
        assertTrue(h.getStaticMappings().isEmpty());
        assertFalse(h.getUseLinkLocalAddresses());
        assertEquals(0, MappingCandidateHarvesters.getHarvesters().length, "ice4j built no mapping harvester");
    }

    @Test
    void consentChecksEveryFiveSecondsPerRfc7675() {
        assertEquals(Duration.ofSeconds(5), AgentConfig.config.getConsentFreshnessInterval());
    }
}
