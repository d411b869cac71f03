/* Vindplaats search widget: written in the widget issue. */
